"""The refund desk, finance's pages: find a paid booking's payment, refund it with a reason, see the history.

The money moves through the one refund service (`outcomes.refund_payment`: the gateway, the
payment's state machine, the ledger and the subsidy's return to the budget); this module adds what
a person at a page needs: the amount checked against what the service can refund (the whole
payment), a required reason kept in the audit log next to the refund, and the lists.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from ...accounts.models import Organisation, User
from ...core import audit
from ...core.errors import Conflict, Invalid
from ...core.models import AuditLog
from ...core.permissions import require_role
from ...core.schema import MAX_ID
from ...extensions import db
from ..models import Payment
from .lookups import get_payment
from .outcomes import refund_payment

REASON_MAX = 300
REASON_ACTION = "refund_reason"


def refundable_payment(payment_id, *, actor):
    """The payment, for finance; 404 when there is none."""
    require_role(actor, "finance")
    return get_payment(payment_id)


def refund(payment_id, amount: int | None, reason: str | None, *, actor):
    """Refund a succeeded payment (in full: what the gateway service supports) with a reason."""
    payment = refundable_payment(payment_id, actor=actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid.field("reason", _("请填写退款原因"))
    if len(reason) > REASON_MAX:
        raise Invalid.field("reason", _("退款原因不能超过 %(n)s 个字符", n=REASON_MAX))
    if payment.status == "refunded":
        raise Conflict(_("该付款已退款"))
    if payment.status != "succeeded":
        raise Conflict(_("只有已成功的付款可以退款"))
    if amount is not None and amount != payment.amount:
        from ...core.money import format_fen
        raise Invalid.field("amount", _("目前只能全额退款：%(amount)s", amount=format_fen(payment.amount)))
    payment = refund_payment(payment, actor=actor)
    audit.record("payment", payment.id, REASON_ACTION, actor=actor, comment=reason)
    return payment


def _rows(q, page: int, per_page: int) -> tuple[list[dict], int]:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(q.order_by(None).subquery())) or 0
    rows = []
    for payment, org_name in db.session.execute(q.order_by(Payment.id.desc())
                                                .offset((page - 1) * per_page).limit(per_page)):
        rows.append({"payment": payment, "booking_id": payment.booking_id, "org_name": org_name})
    return rows, int(total)


def _base_query(status: str, booking_id: int | None):
    from ...booking.models import Booking
    q = (sa.select(Payment, Organisation.name).join(Booking, Booking.id == Payment.booking_id)
         .join(Organisation, Organisation.id == Booking.org_id).where(Payment.status == status))
    if booking_id is not None:
        q = q.where(Payment.booking_id == booking_id)
    return q


def refundable(*, actor, booking_id: int | None = None, page: int = 1, per_page: int = 20):
    """Succeeded payments (newest first), optionally of one booking."""
    require_role(actor, "finance")
    if booking_id is not None and not 0 < booking_id <= MAX_ID:
        raise Invalid.field("booking_id", _("预约编号无效"))
    return _rows(_base_query("succeeded", booking_id), page, per_page)


def history(*, actor, booking_id: int | None = None, page: int = 1, per_page: int = 20):
    """Refunded payments (newest first) with when, by whom and why."""
    require_role(actor, "finance")
    if booking_id is not None and not 0 < booking_id <= MAX_ID:
        raise Invalid.field("booking_id", _("预约编号无效"))
    rows, total = _rows(_base_query("refunded", booking_id), page, per_page)
    ids = [r["payment"].id for r in rows]
    if ids:
        logs = db.session.execute(
            sa.select(AuditLog, User.name).outerjoin(User, User.id == AuditLog.actor_id)
            .where(AuditLog.entity == "payment", AuditLog.entity_id.in_(ids),
                   AuditLog.action.in_(("refund", REASON_ACTION))).order_by(AuditLog.id)).all()
        for row in rows:
            for log, name in logs:
                if log.entity_id != row["payment"].id:
                    continue
                if log.action == REASON_ACTION:
                    row["reason"] = log.comment
                else:
                    row["at"], row["by"] = log.created_at, name
    return rows, total
