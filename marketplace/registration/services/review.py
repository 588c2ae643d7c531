"""The registrar's side: the queue with working-day deadlines, return for correction, approve (a
14-digit number issued gap-free), refuse with grounds; approving a change amends or cancels the
registered contract."""
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core.audit import record
from ...core.errors import Conflict, Forbidden, Invalid
from ...core.permissions import require_login
from ...core.timeutil import utcnow
from ...extensions import db
from .. import rules, signals
from ..models import ContractRegistration, RegistrationGround, RegistrationSerial
from ..reference import GROUNDS
from ..states import MACHINE
from .access import allowed_actions, is_applicant, is_registrar
from .applications import _check_original_still_registered, config, today_local

AMENDED_FIELDS = ("project_name", "contract_type", "subtype", "buyer_name", "buyer_uscc", "buyer_city_code",
                  "buyer_nature", "seller_name", "seller_uscc", "seller_city_code", "seller_nature",
                  "signed_on", "valid_until", "tech_field", "ip_kind", "total_amount", "non_tech_amount",
                  "tech_amount")


def _may(reg, *, actor, action: str):
    require_login(actor)
    if not is_registrar(actor=actor):
        raise Forbidden(_("只有登记员可以审查登记申请"))
    if is_applicant(reg, actor=actor):
        raise Forbidden(_("不能审查本单位的申请"))
    if action not in allowed_actions(reg, actor=actor):
        raise Conflict(_("该申请现在不能执行此操作"))


def return_application(reg: ContractRegistration, *, actor, comment: str) -> ContractRegistration:
    """Return for correction (补正): the comment is required; the clock stops until resubmission."""
    _may(reg, actor=actor, action="return")
    comment = (comment or "").strip()
    if not comment:
        raise Invalid.field("comment", _("请写明需要补正的内容"))
    MACHINE.apply(reg, "returned", actor=actor, comment=comment, action="return")
    reg.review_comment = comment
    reg.due_on, reg.due_provisional = None, False
    db.session.flush()
    signals.registration_returned.send(reg, actor=actor)
    return reg


def refuse_application(reg: ContractRegistration, *, actor, grounds: list[str],
                       comment: str | None = None) -> ContractRegistration:
    """Refuse with one or more grounds from the list; "other" needs a comment."""
    _may(reg, actor=actor, action="refuse")
    comment = (comment or "").strip() or None
    codes = list(dict.fromkeys(grounds or []))
    if not codes:
        raise Invalid.field("grounds", _("请至少选择一项不予登记的理由"))
    unknown = [c for c in codes if c not in GROUNDS]
    if unknown:
        raise Invalid.field("grounds", _("未知的理由：%(codes)s", codes=", ".join(map(str, unknown))))
    if "other" in codes and not comment:
        raise Invalid.field("comment", _("选择“其他”时必须写明理由"))
    MACHINE.apply(reg, "refused", actor=actor, comment="; ".join(codes) + (f": {comment}" if comment else ""),
                  action="refuse")
    reg.ground_rows = [RegistrationGround(code=c) for c in codes]
    reg.review_comment = comment
    reg.due_on = None
    db.session.flush()
    signals.registration_refused.send(reg, actor=actor)
    return reg


def next_serial(year: int, city_code: str, point: str) -> int:
    """The next serial of (year, city, point), in the caller's transaction. The counter row is created
    once (INSERT … ON CONFLICT DO NOTHING), then incremented by one UPDATE: on PostgreSQL the row lock
    makes concurrent approvals wait for each other; on SQLite BEGIN IMMEDIATE already serialises them."""
    table = RegistrationSerial.__table__
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(table).values(year=year, city_code=city_code, point=point, last_serial=0)
                       .on_conflict_do_nothing())
    return db.session.execute(
        sa.update(table).where(table.c.year == year, table.c.city_code == city_code, table.c.point == point)
        .values(last_serial=table.c.last_serial + 1).returning(table.c.last_serial)).scalar_one()


def approve_application(reg: ContractRegistration, *, actor, comment: str | None = None,
                        today: date | None = None) -> ContractRegistration:
    """Register: a new contract gets its number (and the check code printed on its certificate); an
    amendment changes the registered contract (same number), a cancellation cancels it. The buyer must
    have confirmed first (services.confirmation)."""
    from .confirmation import needs_buyer
    if needs_buyer(reg) and reg.status == "submitted" and is_registrar(actor=actor) \
            and not is_applicant(reg, actor=actor):
        raise Conflict(_("买方尚未确认该合同，确认后才能登记"))
    _may(reg, actor=actor, action="approve")
    day = today or today_local()
    if reg.kind != "new":
        _check_original_still_registered(reg)
    number = None
    if reg.kind == "new":  # the serial first: its UPDATE must not flush a half-made approval
        city = rules.number_city(reg.seller_city_code, reg.buyer_city_code, config("REGISTRATION_DEFAULT_CITY"))
        point = config("REGISTRATION_POINT")
        number = rules.registration_number(day.year, city, point, next_serial(day.year, city, point))
    # the number goes with the status (the table requires a registered contract to have one)
    MACHINE.apply(reg, "registered", actor=actor, comment=comment, action="approve", number=number, due_on=None,
                  registered_on=day, registered_by_id=actor.id,
                  check_code=rules.new_check_code() if number else None)
    reg.review_comment = (comment or "").strip() or None
    if reg.kind == "amend":
        _amend(reg.amends, reg, actor=actor)
    elif reg.kind == "cancel":
        MACHINE.apply(reg.amends, "cancelled", actor=actor, comment=_("注销登记（申请 #%(id)s）", id=reg.id),
                      action="cancel")
    db.session.flush()
    signals.registration_approved.send(reg, actor=actor)
    return reg


def _amend(original: ContractRegistration, change: ContractRegistration, *, actor):
    from ..models import RegistrationItem
    changed = [f for f in AMENDED_FIELDS if getattr(original, f) != getattr(change, f)]
    for field in AMENDED_FIELDS:
        setattr(original, field, getattr(change, field))
    original.items = [RegistrationItem(position=i.position, name=i.name, amount=i.amount) for i in change.items]
    original.amended_at = utcnow()
    record(MACHINE.entity, original.id, "amend", actor=actor,
           comment=_("变更登记（申请 #%(id)s）：%(fields)s", id=change.id, fields=", ".join(changed) or "-"))


# -- the queue -------------------------------------------------------------------------------------

def queue(*, actor, today: date | None = None, limit: int = 200, offset: int = 0) -> list[tuple[ContractRegistration, int]]:
    """Submitted applications with their working days left, overdue (and soonest due) first."""
    require_login(actor)
    if not is_registrar(actor=actor):
        raise Forbidden(_("只有登记员可以查看审查队列"))
    day = today or today_local()
    regs = db.session.scalars(
        sa.select(ContractRegistration).where(ContractRegistration.status == "submitted")
        .order_by(ContractRegistration.due_on, ContractRegistration.submitted_on, ContractRegistration.id)
        .offset(offset).limit(limit)).all()
    return [(reg, rules.working_days_left(day, reg.due_on)) for reg in regs]


def queue_size(*, actor) -> int:
    """How many submitted applications wait for a registrar."""
    require_login(actor)
    if not is_registrar(actor=actor):
        raise Forbidden(_("只有登记员可以查看审查队列"))
    return db.session.scalar(sa.select(sa.func.count()).select_from(ContractRegistration)
                             .where(ContractRegistration.status == "submitted")) or 0


def days_left(reg: ContractRegistration, today: date | None = None) -> int | None:
    if reg.status != "submitted" or reg.due_on is None:
        return None
    return rules.working_days_left(today or today_local(), reg.due_on)
