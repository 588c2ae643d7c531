"""Subsidy services: programmes and grades (admins), and the user-side subsidy of each booking.

Budget changes go through `_move()`: one conditional UPDATE of the programme row whose WHERE
clause re-checks the room, backed by the row's CHECK constraint, so no interleaving of
transactions can overdraw it. On PostgreSQL the programme row is also locked (SELECT … FOR
UPDATE) before the yearly cap of an organisation is read, which serialises reservations of one
programme; SQLite writers are serialised by BEGIN IMMEDIATE (core.db).
"""
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from pydantic import ValidationError

from ... import ledger
from ...core import audit
from ...core.db import find
from ...core.errors import Conflict, Invalid, NotFound
from ...core.permissions import require_role
from ...core.schema import Fen, Year, invalid_from, text, validated
from ...core.timeutil import to_local, utcnow
from ...extensions import db
from ...ledger import Cr, Dr
from .. import rules
from ..models import GRADES, Programme, ProviderGrade, Reservation
from ..schemas import ProgrammeRules
from ..states import PROGRAMME, RESERVATION
from .eligibility import parties_of

# -- programmes ------------------------------------------------------------------------------------

def get_programme(programme_id) -> Programme:
    prog = find(Programme, programme_id)
    if prog is None:
        raise NotFound(_("补贴计划不存在"))
    return prog


def list_programmes() -> list[Programme]:
    return list(db.session.scalars(sa.select(Programme).order_by(Programme.year.desc())))


def programme_for_year(year: int) -> Programme | None:
    return db.session.scalar(sa.select(Programme).where(Programme.year == year, Programme.active.is_(True)))


def _programme_rules(data: dict) -> dict:
    """The rules given (ProgrammeRules), or Invalid naming each wrong one."""
    try:
        return ProgrammeRules.model_validate(data).model_dump(exclude_none=True)
    except ValidationError as err:
        raise invalid_from(err) from None


def create_programme(*, actor, name: str, year: int, budget: int, **rules_data) -> Programme:
    require_role(actor, "admin")
    return new_programme(actor=actor, name=name, year=year, budget=budget, **rules_data)


@validated
def new_programme(*, actor, name: text(120, 1), year: Year, budget: Fen, **rules_data) -> Programme:
    """Create a programme and fund its budget in the ledger (no permission check: the demo
    seeder and create_programme use it)."""
    if db.session.scalar(sa.select(Programme.id).where(Programme.year == year)):
        raise Invalid.field("year", _("该年度已有补贴计划"))
    values = dict(current_app.config["SUBSIDY_DEFAULTS"])
    values.update(_programme_rules(rules_data))
    prog = Programme(name=name, year=year, budget=budget, reserved=0, committed=0, **values)
    db.session.add(prog)
    db.session.flush()
    ledger.post_entry("funding", [Dr("programme_fund", budget), Cr("budget", budget)], programme_id=prog.id,
                      actor=actor, memo=f"{year} 年度补贴预算")
    audit.record("subsidy_programme", prog.id, "create", actor=actor)
    return prog


@validated
def update_programme(prog: Programme, *, actor, budget: Fen | None = None, name: text(120, 1) | None = None,
                     active: bool | None = None, **rules_data) -> Programme:
    require_role(actor, "admin")
    clean = _programme_rules(rules_data)
    if name is not None:
        prog.name = name
    if active is not None and bool(active) != prog.active:
        PROGRAMME.apply(prog, "active" if active else "inactive", actor=actor,
                        action="activate" if active else "deactivate")
    for key, value in clean.items():
        setattr(prog, key, value)
    db.session.flush()
    if budget is not None and budget != prog.budget:
        delta = budget - prog.budget
        # Lowering the budget must leave room for what is reserved and committed.
        res = db.session.execute(
            sa.update(Programme).where(Programme.id == prog.id, Programme.reserved + Programme.committed <= budget)
            .values(budget=budget).execution_options(synchronize_session=False))
        if res.rowcount != 1:
            raise Conflict(_("预算不能低于已预留与已确认之和"))
        if delta > 0:
            lines = [Dr("programme_fund", delta), Cr("budget", delta)]
        else:
            lines = [Dr("budget", -delta), Cr("programme_fund", -delta)]
        ledger.post_entry("funding", lines, programme_id=prog.id, actor=actor, memo="预算调整")
        db.session.refresh(prog)
    audit.record("subsidy_programme", prog.id, "update", actor=actor)
    return prog


def set_grade(prog: Programme, org_id: int, grade: str, *, actor) -> ProviderGrade:
    require_role(actor, "admin")
    if grade not in GRADES:
        raise Invalid.field("grade", _("等级应为 A/B/C/D"))
    from ...accounts.models import Organisation
    if find(Organisation, org_id) is None:
        raise Invalid.field("org_id", _("单位不存在"))
    row = db.session.scalar(sa.select(ProviderGrade).where(ProviderGrade.programme_id == prog.id,
                                                           ProviderGrade.org_id == org_id))
    if row is None:
        row = ProviderGrade(programme_id=prog.id, org_id=org_id, grade=grade)
        db.session.add(row)
    else:
        row.grade = grade
    db.session.flush()
    audit.record("subsidy_programme", prog.id, "grade", actor=actor, comment=f"org {org_id}: {grade}")
    return row


def grades(prog: Programme) -> list[ProviderGrade]:
    return list(db.session.scalars(sa.select(ProviderGrade).where(ProviderGrade.programme_id == prog.id)
                                   .options(sa.orm.selectinload(ProviderGrade.org))
                                   .order_by(ProviderGrade.org_id)))


# -- budget movements ------------------------------------------------------------------------------

def _lock_programme(programme_id: int) -> Programme:
    """Load the programme fresh; on PostgreSQL lock its row until the transaction ends."""
    return db.session.execute(sa.select(Programme).where(Programme.id == programme_id)
                              .with_for_update().execution_options(populate_existing=True)).scalar_one()


def _move(programme_id: int, *, reserved: int = 0, committed: int = 0) -> bool:
    """Add to reserved/committed in one conditional UPDATE; False if it would overdraw."""
    cond = [Programme.id == programme_id]
    growth = reserved + committed
    if growth > 0:
        cond.append(Programme.budget - Programme.reserved - Programme.committed >= growth)
    if reserved < 0:
        cond.append(Programme.reserved >= -reserved)
    if committed < 0:
        cond.append(Programme.committed >= -committed)
    res = db.session.execute(sa.update(Programme).where(*cond)
                             .values(reserved=Programme.reserved + reserved,
                                     committed=Programme.committed + committed)
                             .execution_options(synchronize_session=False))
    prog = db.session.identity_map.get(db.session.identity_key(Programme, programme_id))
    if prog is not None:
        db.session.expire(prog, ["reserved", "committed"])
    return res.rowcount == 1


def org_used(programme_id: int, org_id: int) -> int:
    return int(db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Reservation.reserved + Reservation.committed), 0))
        .where(Reservation.programme_id == programme_id, Reservation.user_org_id == org_id)) or 0)


def reservation_of(booking) -> Reservation | None:
    return db.session.scalar(sa.select(Reservation).where(Reservation.booking_id == booking.id))


def booking_year(booking) -> int:
    return to_local(booking.start).year


def reserve_user_subsidy(booking, *, actor=None) -> Reservation | None:
    """At approval: hold the user-side subsidy in the budget and write booking.user_subsidy.

    Every approved booking of a programme year gets one reservation row (maybe of 0 with the
    reason), so the provider side and the statements see it too. Counted once: a second call
    returns the existing row.
    """
    from ...catalog.types import SUBSIDISED_TYPES
    existing = reservation_of(booking)
    if existing is not None:
        return existing
    prog = programme_for_year(booking_year(booking))
    if prog is None or booking.instrument.type not in SUBSIDISED_TYPES:
        # No programme, or not an instrument (a facility): neither side of the subsidy applies.
        booking.user_subsidy = 0
        return None
    prog = _lock_programme(prog.id)
    policy = rules.Policy.of(prog)
    user, provider = parties_of(booking)
    used = org_used(prog.id, user.org_id)
    result = rules.user_subsidy(policy, user, provider, booking.instrument.original_value, booking.fee,
                                org_used=used, budget_remaining=prog.remaining)
    amount = result.amount
    reason_code = result.reason_code
    if amount and not _move(prog.id, reserved=amount):
        amount, reason_code = 0, "budget_exhausted"  # cannot happen while the row is locked
    res = Reservation(booking_id=booking.id, programme_id=prog.id, user_org_id=user.org_id,
                      provider_org_id=provider.org_id, fee=booking.fee, rate_bp=result.rate_bp,
                      rule_amount=result.rule_amount, reserved=amount, committed=0,
                      user_eligible=rules.user_side_ineligibility(policy, user, provider,
                                                                  booking.instrument.original_value) is None,
                      provider_eligible=rules.provider_side_eligible(policy, user, provider),
                      status="reserved", reason_code=reason_code,
                      reason=rules.REASONS.get(reason_code) if reason_code else None)
    db.session.add(res)
    db.session.flush()
    audit.record("subsidy_reservation", res.id, "reserve", actor=actor, to_state="reserved")
    ledger.post_entry("reservation", [Dr("budget", amount), Cr("subsidy_reserved", amount)], programme_id=prog.id,
                      booking_id=booking.id, actor=actor, memo=f"预约 #{booking.id} 补贴预留")
    booking.user_subsidy = amount
    return res


def _release(res: Reservation, amount: int, booking, memo: str, *, actor):
    if amount <= 0:
        return
    if not _move(res.programme_id, reserved=-amount):
        raise Conflict(_("补贴预留数据不一致"))
    res.reserved -= amount
    ledger.post_entry("release", [Dr("subsidy_reserved", amount), Cr("budget", amount)],
                      programme_id=res.programme_id, booking_id=booking.id, actor=actor, memo=memo)


def release_user_subsidy(booking, *, actor=None, why: str = "") -> Reservation | None:
    """On rejection, cancellation or no-show: give the reserved amount back to the budget."""
    res = reservation_of(booking)
    booking.user_subsidy = 0
    if res is None or res.status != "reserved":
        return res
    _release(res, res.reserved, booking, f"预约 #{booking.id} {why} 释放补贴", actor=actor)
    RESERVATION.apply(res, "released", actor=actor, action="release", comment=why or None)
    db.session.flush()
    return res


def recompute_user_subsidy(booking, *, actor=None) -> Reservation | None:
    """On completion: the rules on the actual fee, never above the reservation; release the rest."""
    res = reservation_of(booking)
    if res is None or res.status != "reserved":
        return res
    prog = db.session.get(Programme, res.programme_id)
    policy = rules.Policy.of(prog)
    result = rules.recompute_user_subsidy(policy, *parties_of(booking),
                                          booking.instrument.original_value, booking.fee, res.reserved)
    new = min(result.amount, res.reserved)
    _release(res, res.reserved - new, booking, f"预约 #{booking.id} 按实际费用重算补贴", actor=actor)
    res.fee = booking.fee
    res.rule_amount = result.rule_amount
    if result.reason_code and result.reason_code not in ("budget_exhausted", "budget_partial"):
        res.reason_code, res.reason = result.reason_code, result.reason
    booking.user_subsidy = new
    db.session.flush()
    return res


def reinstate_user_subsidy(booking, *, actor=None) -> Reservation | None:
    """A no-show the lab corrected into a completed booking: hold its released subsidy again, by the
    rules on today's budget and the organisation's use (a new reservation entry, never an edit)."""
    res = reservation_of(booking)
    if res is None:
        return reserve_user_subsidy(booking, actor=actor)
    if res.status != "released":
        return res
    prog = _lock_programme(res.programme_id)
    policy = rules.Policy.of(prog)
    user, provider = parties_of(booking)
    result = rules.user_subsidy(policy, user, provider, booking.instrument.original_value, booking.fee,
                                org_used=org_used(prog.id, user.org_id), budget_remaining=prog.remaining)
    amount = result.amount
    if amount and not _move(prog.id, reserved=amount):
        amount = 0
    RESERVATION.apply(res, "reserved", actor=actor, action="reinstate", reserved=amount, fee=booking.fee,
                      rule_amount=result.rule_amount)
    ledger.post_entry("reservation", [Dr("budget", amount), Cr("subsidy_reserved", amount)], programme_id=prog.id,
                      booking_id=booking.id, actor=actor, memo=f"预约 #{booking.id} 爽约更正，补贴重新预留")
    booking.user_subsidy = amount
    db.session.flush()
    return res


def commit_user_subsidy(booking, *, actor=None, payment_id=None) -> Reservation | None:
    """When the booking is paid (settled): the reservation becomes committed; book the income."""
    res = reservation_of(booking)
    if res is None:  # no programme this year: no subsidy, but the provider's income is booked
        _post_income(booking, 0, None, payment_id, actor=actor)
        return None
    if res.status == "committed":
        return res
    if res.status != "reserved":
        raise Conflict(_("补贴已释放，不能确认"))
    amount = res.reserved
    fee = booking.fee
    if amount != booking.user_subsidy or amount > fee:
        raise Conflict(_("补贴金额与预约不一致"))
    if amount and not _move(res.programme_id, reserved=-amount, committed=amount):
        raise Conflict(_("补贴预留数据不一致"))
    res.reserved, res.committed = 0, amount
    RESERVATION.apply(res, "committed", actor=actor, action="commit")
    res.fee = fee
    res.committed_at = utcnow()
    ledger.post_entry("subsidy_commitment", [Dr("subsidy_reserved", amount), Cr("user_subsidy_payable", amount)],
                      programme_id=res.programme_id, booking_id=booking.id, payment_id=payment_id, actor=actor,
                      memo=f"预约 #{booking.id} 补贴确认")
    _post_income(booking, amount, res.programme_id, payment_id, actor=actor)
    db.session.flush()
    return res


def _post_income(booking, subsidy: int, programme_id, payment_id, *, actor):
    """The provider earns the whole fee: the user owes fee − subsidy, the programme the subsidy."""
    fee = booking.fee
    ledger.post_entry("provider_income",
                      [Dr("user_receivable", fee - subsidy, booking.org_id), Dr("subsidy_receivable", subsidy),
                       Cr("provider_payable", fee, booking.provider_org_id)],
                      programme_id=programme_id, booking_id=booking.id, payment_id=payment_id, actor=actor,
                      memo=f"预约 #{booking.id} 服务收入")


def refund_user_subsidy(booking, payment=None, *, actor=None) -> Reservation | None:
    """A paid booking was refunded: its committed subsidy returns to the budget, income reversed."""
    res = reservation_of(booking)
    if res is None or res.status != "committed":
        return res
    amount, fee = res.committed, res.fee
    if amount and not _move(res.programme_id, committed=-amount):
        raise Conflict(_("补贴确认数据不一致"))
    res.committed = 0
    RESERVATION.apply(res, "refunded", actor=actor, action="refund")
    paid = fee - amount
    ledger.post_entry("refund",
                      [Dr("provider_payable", fee, booking.provider_org_id), Dr("user_subsidy_payable", amount),
                       Cr("gateway_clearing", paid, booking.org_id), Cr("subsidy_receivable", amount),
                       Cr("budget", amount)],
                      programme_id=res.programme_id, booking_id=booking.id,
                      payment_id=getattr(payment, "id", None), actor=actor,
                      memo=f"预约 #{booking.id} 退款，补贴退回预算")
    db.session.flush()
    return res


# -- finance dashboard -----------------------------------------------------------------------------

def dashboard(prog: Programme) -> dict:
    """Budget, reserved, committed, remaining; user subsidy by city and by organisation."""
    from ...accounts.models import Organisation
    db.session.refresh(prog)
    amount = Reservation.reserved + Reservation.committed
    by_city = db.session.execute(
        sa.select(Organisation.city, sa.func.count(Reservation.id), sa.func.sum(Reservation.reserved),
                  sa.func.sum(Reservation.committed))
        .join(Organisation, Organisation.id == Reservation.user_org_id)
        .where(Reservation.programme_id == prog.id).group_by(Organisation.city)
        .order_by(sa.func.sum(amount).desc())).all()
    by_org = db.session.execute(
        sa.select(Organisation.id, Organisation.name, Organisation.city, sa.func.count(Reservation.id),
                  sa.func.sum(Reservation.reserved), sa.func.sum(Reservation.committed))
        .join(Organisation, Organisation.id == Reservation.user_org_id)
        .where(Reservation.programme_id == prog.id)
        .group_by(Organisation.id, Organisation.name, Organisation.city)
        .order_by(sa.func.sum(amount).desc()).limit(50)).all()
    return {"budget": prog.budget, "reserved": prog.reserved, "committed": prog.committed,
            "remaining": prog.remaining,
            "by_city": [{"city": c, "bookings": n, "reserved": int(r or 0), "committed": int(m or 0)}
                        for c, n, r, m in by_city],
            "by_org": [{"org_id": i, "name": name, "city": c, "bookings": n, "reserved": int(r or 0),
                        "committed": int(m or 0)} for i, name, c, n, r, m in by_org]}
