"""Broker firms' commission rates: finance sets a rate with the date it takes effect; a deal takes the
rate in effect on the day it is signed (its contract fixes it), and every instalment's commission is
computed from that rate. Entries are append-only, so the history shows who set what and when."""
from datetime import date, datetime
from typing import Annotated

from flask import current_app
from flask_babel import gettext as _
from pydantic import Field

from ...core.audit import record
from ...core.errors import Invalid, NotFound
from ...core.permissions import require_role
from ...core.schema import validated
from ...core.timeutil import to_local, utcnow
from ...extensions import db
from ..models import FirmCommissionRate

# Firms a rate may be set for: filed ones (a suspended firm may be reinstated and broker again).
RATED_FIRM_STATUSES = ("approved", "suspended")


def local_today(now: datetime | None = None) -> date:
    return to_local(now or utcnow()).date()


def max_commission_bp() -> int:
    return int(current_app.config["TRADING_COMMISSION_MAX_BP"])


def rate_on(firm, day: date) -> int:
    """The firm's commission rate (basis points) in effect on `day`; the default without an entry."""
    if firm is None:
        return 0
    row = db.session.scalars(
        db.select(FirmCommissionRate)
        .where(FirmCommissionRate.firm_id == firm.id, FirmCommissionRate.effective_on <= day)
        .order_by(FirmCommissionRate.effective_on.desc(), FirmCommissionRate.id.desc()).limit(1)
    ).first()
    return row.basis_points if row is not None else int(current_app.config["TRADING_COMMISSION_BP"])


def rate_history(firm) -> list[FirmCommissionRate]:
    """Every entry, newest effective date first (the latest entry first within a date)."""
    return db.session.scalars(
        db.select(FirmCommissionRate).where(FirmCommissionRate.firm_id == firm.id)
        .order_by(FirmCommissionRate.effective_on.desc(), FirmCommissionRate.id.desc())
    ).all()


def scheduled_rate(firm, today: date) -> FirmCommissionRate | None:
    """The next entry that takes effect after today, if finance scheduled one."""
    return db.session.scalars(
        db.select(FirmCommissionRate)
        .where(FirmCommissionRate.firm_id == firm.id, FirmCommissionRate.effective_on > today)
        .order_by(FirmCommissionRate.effective_on, FirmCommissionRate.id.desc()).limit(1)
    ).first()


def rated_firms():
    """Filed firms with their current and next rate, for finance's overview."""
    from ...filing.models import Firm
    today = local_today()
    firms = db.session.scalars(db.select(Firm).where(Firm.status.in_(RATED_FIRM_STATUSES)).order_by(Firm.name)).all()
    return [{"firm": f, "current": rate_on(f, today), "next": scheduled_rate(f, today)} for f in firms]


def get_rated_firm(firm_id: int, *, actor):
    from ...filing.models import Firm
    require_role(actor, "finance")
    firm = db.session.get(Firm, firm_id)
    if firm is None or firm.status not in RATED_FIRM_STATUSES:
        raise NotFound(_("没有这家已备案的事务所"))
    return firm


@validated
def set_firm_commission(firm, basis_points: Annotated[int, Field(strict=True)], *, actor, effective_on: date | None = None, note: str = "",
                        now: datetime | None = None) -> FirmCommissionRate:
    """Finance sets a broker firm's commission rate from `effective_on` (today by default, never in the
    past: deals already signed keep the rate of their signing day); audited."""
    require_role(actor, "finance")
    if firm is None or firm.status not in RATED_FIRM_STATUSES:
        raise NotFound(_("没有这家已备案的事务所"))
    top = max_commission_bp()
    if not 0 <= basis_points <= top:  # the ceiling is configured: checked here, the type by @validated
        percent = f"{top / 100:g}"
        raise Invalid.field("basis_points", _("佣金费率应在 0 到 %(top)s%% 之间（0 到 %(bp)s 个基点）",
                                              top=percent, bp=top))
    today = local_today(now)
    effective_on = effective_on or today
    if effective_on < today:
        raise Invalid.field("effective_on", _("生效日期不能早于今天"))
    if (effective_on - today).days > 366:
        raise Invalid.field("effective_on", _("生效日期不能晚于一年以后"))
    note = (note or "").strip()
    if len(note) > 500:
        raise Invalid.field("note", _("说明最多 500 字"))
    row = FirmCommissionRate(firm_id=firm.id, basis_points=basis_points, effective_on=effective_on, note=note,
                             set_by_id=actor.id, created_at=now or utcnow())
    db.session.add(row)
    db.session.flush()
    record("firm_commission", firm.id, "set", actor=actor,
           comment=f"{basis_points} bp from {effective_on.isoformat()}" + (f": {note}" if note else ""))
    return row
