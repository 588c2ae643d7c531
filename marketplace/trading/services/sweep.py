"""The scheduled sweep: notices that ended, demands past their deadline, instalment reminders, matches."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ...accounts.models import User
from ...core.i18n import Message as _l
from ...core.timeutil import utcnow
from ...extensions import db
from ..models import Deal, DealInstalment, Demand
from ..states import DEAL, DEMAND
from .demands import today_local


def _members(org_ids) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.organisation_id.in_(org_ids), User.active.is_(True))))


def _tell(deal: Deal, subject: dict, body: dict):
    from ...notifications.services import notify
    users = _members([deal.buyer_org_id, deal.seller_org_id])
    if deal.broker is not None:
        users.append(deal.broker)
    for user in {u.id: u for u in users}.values():
        notify(user, subject, body, f"/trading/deals/{deal.id}")


def end_notices(now: datetime) -> int:
    """A notice whose period ended without an open objection: the deal is agreed and may be signed."""
    deals = db.session.scalars(sa.select(Deal).where(Deal.status == "public_notice", Deal.notice_ends_at <= now)
                               .with_for_update(of=Deal)).all()
    for deal in deals:
        DEAL.apply(deal, "agreed", actor=None, comment=_("公示期满无异议"), action="notice-ended")
        _tell(deal, _l("交易“%(t)s”公示期满", t=deal.title), _l("公示期满无异议，双方可以签约。"))
    return len(deals)


def expire_demands(now: datetime) -> int:
    """Published demands past their deadline leave the listings and the search index."""
    demands = db.session.scalars(sa.select(Demand).where(Demand.status == "published",
                                                         Demand.deadline < today_local(now))).all()
    for demand in demands:
        DEMAND.apply(demand, "expired", actor=None, comment=_("已过截止日期"), action="expire")
    return len(demands)


def remind_instalments(now: datetime) -> int:
    """Tell the buyer of instalments due within TRADING_REMIND_DAYS (once per instalment)."""
    horizon = today_local(now) + timedelta(days=int(current_app.config["TRADING_REMIND_DAYS"]))
    rows = db.session.scalars(sa.select(DealInstalment).join(Deal).where(
        Deal.status == "signed", DealInstalment.status == "due", DealInstalment.reminded_at.is_(None),
        DealInstalment.due_on <= horizon)).all()
    from ...core.money import format_fen
    from ...notifications.services import notify
    for inst in rows:
        deal = inst.deal
        for user in _members([deal.buyer_org_id]):
            notify(user, _l("交易“%(t)s”第 %(n)s 期将于 %(d)s 到期", t=deal.title, n=inst.seq, d=inst.due_on.isoformat()),
                   _l("应付金额 %(a)s。", a=format_fen(inst.amount)), f"/trading/deals/{deal.id}")
        inst.reminded_at = now
    return len(rows)


def sweep(now: datetime | None = None) -> dict:
    """All of the above; idempotent (a second run at the same time changes nothing)."""
    from .matching import notify_demand_watchers
    now = now or utcnow()
    out = {"notices_ended": end_notices(now), "demands_expired": expire_demands(now),
           "instalments_reminded": remind_instalments(now), "match_notices": notify_demand_watchers(now)}
    db.session.flush()
    return out
