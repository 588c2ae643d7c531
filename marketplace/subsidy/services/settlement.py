"""Provider-side period settlement (管理单位后补助).

The period's external income is summed by the database in one GROUP BY over the committed
reservations of settled bookings; grade factors, the yearly per-unit cap and pro-rating are
then applied per provider (a few thousand rows at most). One settlement row per
(programme, period) — unique in the database — makes a second run change nothing.
"""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ... import ledger
from ...core import audit
from ...core.errors import Invalid
from ...core.permissions import require_role
from ...core.timeutil import local_to_utc_naive, utcnow
from ...extensions import db
from ...ledger import Cr, Dr
from ...ledger.models import JournalEntry
from .. import rules
from ..models import Programme, ProviderGrade, Reservation, Settlement, SettlementLine
from .budget import _lock_programme, _move


def period_bounds(prog: Programme, period: str) -> tuple[str, datetime, datetime]:
    """Normalised period name and its [start, end) in naive UTC (local calendar boundaries)."""
    try:
        year, month, months = rules.parse_period(period, prog.settlement_period)
    except ValueError:
        example = {"quarter": "2026Q4", "half": "2026H1", "year": "2026"}[prog.settlement_period]
        raise Invalid.field("period", _("结算期间格式应如 %(example)s", example=example)) from None
    if year != prog.year:
        raise Invalid.field("period", _("结算期间不在计划年度内"))
    end_month = month + months
    start = local_to_utc_naive(datetime(year, month, 1))
    end = local_to_utc_naive(datetime(year + (end_month > 12), (end_month - 1) % 12 + 1, 1))
    name = period.strip().upper()
    return name, start, end


def statement_period(period: str | None) -> tuple[str, datetime, datetime] | None:
    """The period a statement covers: `period` ('2026Q4', '2026H1', '2026') in the programme of its
    year, or the whole year of the newest programme when none is given; None without programmes."""
    newest = db.session.scalar(sa.select(Programme).order_by(Programme.year.desc()).limit(1))
    if newest is None:
        return None
    period = (period or "").strip()
    if not period:
        return str(newest.year), local_to_utc_naive(datetime(newest.year, 1, 1)), \
            local_to_utc_naive(datetime(newest.year + 1, 1, 1))
    prog = newest
    if period[:4].isascii() and period[:4].isdigit():  # "²⁰²⁶" and "２０２６" are digits to str.isdigit
        prog = db.session.scalar(sa.select(Programme).where(Programme.year == int(period[:4]))) or newest
    return period_bounds(prog, period)


def _income_query(prog_id: int, start: datetime, end: datetime):
    from ...booking.models import Booking
    return (sa.select(Reservation.provider_org_id, sa.func.count(), sa.func.sum(Reservation.fee))
            .join(Booking, Booking.id == Reservation.booking_id)
            .where(Reservation.programme_id == prog_id, Reservation.status == "committed",
                   Reservation.provider_eligible.is_(True), Reservation.committed_at >= start,
                   Reservation.committed_at < end, Booking.status == "settled")
            .group_by(Reservation.provider_org_id))


def get_settlement(prog: Programme, period: str) -> Settlement | None:
    return db.session.scalar(sa.select(Settlement).where(Settlement.programme_id == prog.id,
                                                         Settlement.period == period.strip().upper()))


def settle_period(prog: Programme, period: str, *, actor, system: bool = False,
                  now: datetime | None = None) -> tuple[Settlement, bool]:
    """Compute and commit the provider subsidies of a period. Returns (settlement, created).

    Only a period that has ended can be settled: a payment made later in an open period would
    otherwise never be counted (the settlement of a period is final)."""
    if not system:
        require_role(actor, "finance")
    name, start, end = period_bounds(prog, period)
    existing = get_settlement(prog, name)
    if existing is not None:
        return existing, False
    if end > (now or utcnow()):
        raise Invalid.field("period", _("结算期间尚未结束"))
    prog = _lock_programme(prog.id)
    existing = get_settlement(prog, name)  # another settle may have committed while we waited
    if existing is not None:
        return existing, False
    policy = rules.Policy.of(prog)
    income = {org: (int(n), int(total or 0)) for org, n, total in db.session.execute(_income_query(prog.id, start, end))}
    grade_of = dict(db.session.execute(sa.select(ProviderGrade.org_id, ProviderGrade.grade)
                                       .where(ProviderGrade.programme_id == prog.id)).all())
    before = dict(db.session.execute(
        sa.select(SettlementLine.org_id, sa.func.sum(SettlementLine.awarded))
        .join(Settlement, Settlement.id == SettlementLine.settlement_id)
        .where(Settlement.programme_id == prog.id).group_by(SettlementLine.org_id)).all())
    computed = {org: rules.provider_subsidy(policy, inc, grade_of.get(org), int(before.get(org) or 0))
                for org, (_n, inc) in income.items()}
    awarded = rules.prorate(computed, prog.remaining)
    total = sum(awarded.values())
    settlement = Settlement(programme_id=prog.id, period=name, period_start=start, period_end=end,
                            income=sum(inc for _n, inc in income.values()), computed=sum(computed.values()),
                            awarded=total, prorated=total < sum(computed.values()),
                            created_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(settlement)
            db.session.flush()
    except IntegrityError:
        return get_settlement(prog, name), False
    if income:
        db.session.execute(sa.insert(SettlementLine), [
            {"settlement_id": settlement.id, "org_id": org, "bookings": n, "income": inc,
             "grade": grade_of.get(org) or prog.ungraded, "computed": computed[org], "awarded": awarded[org]}
            for org, (n, inc) in sorted(income.items())])
    if total and not _move(prog.id, committed=total):
        raise Invalid(_("预算不足"))  # cannot happen: pro-rated to the remaining budget
    ledger.post_entry("settlement", [Dr("budget", total)] +
                      [Cr("provider_subsidy_payable", a, org) for org, a in sorted(awarded.items())],
                      programme_id=prog.id, settlement_id=settlement.id, actor=actor,
                      memo=f"{name} 管理单位补贴结算")
    audit.record("subsidy_settlement", settlement.id, "settle", actor=actor, comment=name)
    db.session.flush()
    db.session.expire(settlement, ["lines"])
    return settlement, True


def reverse_provider_subsidy(booking, *, actor=None) -> int:
    """A booking refunded after its period was settled: the provider subsidy earned on its income goes
    back to the budget (a reversing entry, the programme's committed lowered). Its share is the unit's
    awarded subsidy in proportion to the booking's fee in the unit's income, so grade factor, caps and
    pro-rating apply as they did. Once per booking; 0 when its period is not settled (a later settlement
    leaves the refunded booking out)."""
    res = db.session.scalar(sa.select(Reservation).where(Reservation.booking_id == booking.id))
    if res is None or not res.provider_eligible or res.committed_at is None:
        return 0
    found = db.session.execute(
        sa.select(Settlement, SettlementLine).join(SettlementLine, SettlementLine.settlement_id == Settlement.id)
        .where(Settlement.programme_id == res.programme_id, Settlement.period_start <= res.committed_at,
               Settlement.period_end > res.committed_at, SettlementLine.org_id == res.provider_org_id)).first()
    if found is None:
        return 0
    settlement, line = found
    if not line.income or not line.awarded:
        return 0
    done = db.session.scalar(sa.select(JournalEntry.id).where(
        JournalEntry.kind == "reversal", JournalEntry.booking_id == booking.id,
        JournalEntry.settlement_id == settlement.id).limit(1))
    if done is not None:
        return 0
    amount = rules.round_div(line.awarded * res.fee, line.income)
    if amount and not _move(res.programme_id, committed=-amount):
        raise Invalid(_("补贴确认数据不一致"))
    # What the unit is still owed of its provider subsidy takes the reversal; what was already paid out is
    # owed back (provider_receivable, offset at its next payout): the unit's subsidy account never goes negative.
    still_owed = -ledger.balances(org_id=res.provider_org_id).get("provider_subsidy_payable", 0)
    from_payable = min(amount, max(still_owed, 0))
    ledger.post_entry("reversal", [Dr("provider_subsidy_payable", from_payable, res.provider_org_id),
                                   Dr("provider_receivable", amount - from_payable, res.provider_org_id),
                                   Cr("budget", amount)],
                      programme_id=res.programme_id, booking_id=booking.id, settlement_id=settlement.id,
                      actor=actor, memo=f"预约 #{booking.id} 结算后退款，冲回 {settlement.period} 管理单位补贴")
    audit.record("subsidy_settlement", settlement.id, "reverse", actor=actor, comment=f"booking {booking.id} {amount}")
    return amount
