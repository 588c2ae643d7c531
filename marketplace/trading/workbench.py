"""Trading's queues on the workbench: demands and objections for reviewers, offers an organisation
must answer, instalments it must pay, and a broker's open deals."""
import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core import nav, workbench
from ..core.i18n import tr
from ..core.money import format_fen
from ..extensions import db
from .models import Deal, DealInstalment, Demand
from .services.panels import is_broker_user
from .states import DEAL_STATUSES

OPEN_DEALS = ("negotiating", "agreed", "public_notice", "objected", "signed", "paid")


def _reviewer(user) -> bool:
    return user.has_role("reviewer")


def _demands():
    return sa.select(Demand).where(Demand.status == "pending_review")


def _objections():
    return sa.select(Deal).where(Deal.status == "objected")


def _offers(user):
    """Negotiations whose last offer came from the other side of the user's organisation."""
    org = user.organisation_id
    return sa.select(Deal).where(Deal.status == "negotiating", sa.or_(
        sa.and_(Deal.buyer_org_id == org, Deal.last_offer_side == "seller"),
        sa.and_(Deal.seller_org_id == org, Deal.last_offer_side == "buyer")))


def _instalments(user):
    return (sa.select(DealInstalment).join(Deal, Deal.id == DealInstalment.deal_id)
            .where(Deal.buyer_org_id == user.organisation_id, Deal.status == "signed",
                   DealInstalment.status == "due"))


def _broker(user):
    return sa.select(Deal).where(Deal.broker_user_id == user.id, Deal.status.in_(OPEN_DEALS))


def _deal_item(kind, deal: Deal, since) -> workbench.Item:
    return workbench.Item(kind, deal.id, deal.title, since, url_for("trading.deal_detail", deal_id=deal.id),
                          note=f"{tr(DEAL_STATUSES.get(deal.status, deal.status))} · {format_fen(deal.amount)}")


def _demand_items(user, limit):
    rows = db.session.scalars(_demands().order_by(Demand.updated_at, Demand.id).limit(limit))
    return [workbench.Item("demand", d.id, d.title, d.updated_at,
                           url_for("trading.demand_detail", demand_id=d.id)) for d in rows]


def _objection_items(user, limit):
    rows = db.session.scalars(_objections().order_by(Deal.objected_at, Deal.id).limit(limit))
    return [_deal_item("objection", d, d.objected_at) for d in rows]


def _offer_items(user, limit):
    rows = db.session.scalars(_offers(user).order_by(Deal.updated_at, Deal.id).limit(limit))
    return [_deal_item("offer", d, d.updated_at) for d in rows]


def _instalment_items(user, limit):
    rows = db.session.execute(_instalments(user).add_columns(Deal)
                              .order_by(DealInstalment.due_on, DealInstalment.id).limit(limit)).all()
    return [workbench.Item("instalment", i.id, deal.title, deal.signed_at,
                           url_for("trading.deal_detail", deal_id=deal.id), due=i.due_on,
                           note=_("第 %(n)s 期 · %(amount)s", n=i.seq, amount=format_fen(i.amount)))
            for i, deal in rows]


def _broker_items(user, limit):
    rows = db.session.scalars(_broker(user).order_by(Deal.updated_at, Deal.id).limit(limit))
    return [_deal_item("brokered", d, d.updated_at) for d in rows]


def register():
    add = workbench.add_queue
    add("demand", _l("待审核需求"), "trading.demand_review", who=_reviewer, priority=20,
        count=lambda user: workbench.count_rows(_demands()), items=_demand_items)
    add("objection", _l("待处理异议"), "trading.objections", who=_reviewer, priority=15,
        count=lambda user: workbench.count_rows(_objections()), items=_objection_items)
    add("offer", _l("待回应的报价"), "trading.my_deals", who=nav.org_member, priority=20,
        count=lambda user: workbench.count_rows(_offers(user)), items=_offer_items)
    add("instalment", _l("待支付的合同款"), "trading.my_deals", who=nav.org_member, priority=25, badge=False, show_empty=False,
        count=lambda user: workbench.count_rows(_instalments(user)), items=_instalment_items)
    add("brokered", _l("经纪中的交易"), "trading.workspace", who=is_broker_user, priority=20,
        count=lambda user: workbench.count_rows(_broker(user)), items=_broker_items)
