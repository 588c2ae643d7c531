"""Finding payments, who may pay a booking, and the one way a payment's status moves (audited,
applied once, whatever its purpose)."""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core.db import find
from ...core.errors import Forbidden, NotFound
from ...core.permissions import require_login
from ...core.timeutil import utcnow
from ...extensions import db
from .. import purposes
from ..models import Payment
from ..states import MACHINE, REUSABLE_STATUSES

FEE_STATUSES = ("cancelled", "no_show")  # bookings that may owe a late-cancellation / no-show fee


def get_payment(payment_id) -> Payment:
    p = find(Payment, payment_id)
    if p is None:
        raise NotFound(_("支付记录不存在"))
    return p


def _paying(target):
    """The WHERE clause of the payments of a target (a booking, an instalment…)."""
    purpose = purposes.of_target(target)
    return sa.and_(Payment.purpose == purpose.name,
                   getattr(Payment, purposes.COLUMNS[purpose.name]) == target.id)


def payments_of(target) -> list[Payment]:
    """Every payment attempt of a booking, an instalment… oldest first."""
    return list(db.session.scalars(sa.select(Payment).where(_paying(target)).order_by(Payment.id)))


def open_payment(target) -> Payment | None:
    """The attempt a new checkout of the target reuses (not declined, not finished), if any."""
    return db.session.scalar(sa.select(Payment).where(_paying(target), Payment.status.in_(REUSABLE_STATUSES))
                             .order_by(Payment.id.desc()).limit(1))


def may_pay(booking, *, actor) -> bool:
    """The booking's user, members of the booking organisation and admins may pay it."""
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and (
        booking.user_id == actor.id or actor.is_member_of(booking.org_id) or actor.has_role("admin")))


def require_payer(booking, *, actor):
    require_login(actor)
    if not may_pay(booking, actor=actor):
        raise Forbidden(_("只有预约单位可以付款"))


def allowed_actions(booking, *, actor) -> list[str]:
    """["pay"] when the actor may pay the booking and it owes something now (or a completed booking
    owes nothing and is settled by confirming); the pages draw the pay button from it."""
    if may_pay(booking, actor=actor) and (booking.status == "completed" or booking.amount_due) \
            and not purposes.held(booking):
        return ["pay"]
    return []


def reload(model, ident):
    return db.session.execute(sa.select(model).where(model.id == ident)
                              .execution_options(populate_existing=True)).scalar_one()


def move(payment_id: int, to_state: str, *, actor=None, only_from: tuple[str, ...] | None = None,
         action: str | None = None, **values) -> bool:
    """Move a payment through its machine (StateMachine.move: one conditional UPDATE, audited); False
    when another answer already moved it, so a move happens once however many answers report it."""
    return MACHINE.move(Payment, payment_id, to_state, actor=actor, only_from=only_from, action=action,
                        updated_at=utcnow(), **values)


@dataclass(frozen=True)
class Receipt:
    """What a paid booking's receipt shows. `fee` and `user_subsidy` are the booking's for a booking
    payment; for a late-cancellation / no-show fee the fee is that fee and no subsidy applies."""

    booking: object
    kind: str                 # booking | cancel_fee
    fee: int
    user_subsidy: int
    amount: int               # what was paid (fen)
    reference: str            # the gateway's payment id (or the platform's, when nothing was payable)
    paid_at: object           # naive UTC
    refunded: int = 0

    @property
    def number(self) -> str:
        return f"R{self.paid_at:%Y%m%d}-{self.booking.id:06d}"


def receipt_of(booking, *, actor) -> Receipt:
    """The receipt of a paid booking (whoever may see the booking may read it); 404 until it is paid."""
    require_login(actor)
    paid = db.session.scalar(sa.select(Payment).where(Payment.booking_id == booking.id,
                                                      Payment.status.in_(("succeeded", "refunded")))
                             .order_by(Payment.succeeded_at.desc(), Payment.id.desc()).limit(1))
    if booking.status in ("settled", "refunded"):
        if paid is not None:
            return Receipt(booking, "booking", booking.fee, booking.user_subsidy, paid.amount,
                           paid.payment_intent_id or booking.payment_ref, paid.succeeded_at or booking.settled_at,
                           paid.refunded_amount)
        # nothing was payable (the subsidy covered it): settled without the gateway
        return Receipt(booking, "booking", booking.fee, booking.user_subsidy, booking.payable,
                       booking.payment_ref or "", booking.settled_at)
    if booking.cancel_fee_paid_at is not None and paid is not None:
        return Receipt(booking, "cancel_fee", booking.cancel_fee or 0, 0, paid.amount,
                       paid.payment_intent_id or booking.payment_ref, paid.succeeded_at or booking.cancel_fee_paid_at,
                       paid.refunded_amount)
    raise NotFound(_("该预约尚未付款，没有收据"))
