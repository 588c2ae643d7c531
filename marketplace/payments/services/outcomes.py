"""Applying the gateway's answer (checkout, webhook, reconcile) and refunds, for every purpose.

The success of a payment is applied once: a conditional UPDATE moves the row to `succeeded` and
only the transaction that made that move calls its purpose (which settles the booking or marks the
instalment paid, and posts the ledger entries); the checkout answer, the webhook and reconcile may
all report the same success. Webhook events are
verified (Stripe-Signature) and their ids stored (unique): replays are ignored.
"""
import logging

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from ...core.errors import Conflict, Invalid, Unavailable
from ...core.permissions import require_role
from ...core.timeutil import utcnow
from ...extensions import db
from .. import purposes
from ..gateway import Gateway, GatewayError, GatewayUnavailable, verify_signature
from ..models import Payment, WebhookEvent
from ..rules import decline
from ..schemas import GatewayEvent
from ..states import MACHINE, OPEN_STATUSES, status_label
from .lookups import move, reload

log = logging.getLogger(__name__)


def apply_intent(pi: dict, *, actor=None) -> Payment | None:
    """Bring our records in line with a PaymentIntent as the gateway reports it."""
    payment = db.session.scalar(sa.select(Payment).where(Payment.payment_intent_id == pi.get("id"))
                                .execution_options(populate_existing=True))
    if payment is None:
        return None
    status = pi.get("status")
    if status == "succeeded":
        if int(pi.get("amount", -1)) != payment.amount:
            log.error("payment %s: gateway amount %s differs from %s", payment.id, pi.get("amount"), payment.amount)
            return payment
        _succeed(payment, actor=actor)
    elif status == "requires_payment_method" and payment.status == "confirming":
        err = pi.get("last_payment_error") or {}
        refused = decline(err.get("decline_code") or err.get("code"))
        move(payment.id, "failed", actor=actor, only_from=("confirming",), failure_message=refused.message)
    elif status == "canceled" and payment.status in OPEN_STATUSES:
        move(payment.id, "canceled", actor=actor, only_from=(payment.status,))
    db.session.flush()
    return reload(Payment, payment.id)


def _succeed(payment: Payment, *, actor=None) -> bool:
    """Mark succeeded exactly once; only the transaction that made the move lets the purpose settle
    what was paid (a booking, an instalment) and post its entries."""
    if not move(payment.id, "succeeded", actor=actor, succeeded_at=utcnow(), failure_message=None):
        return False
    purposes.of_payment(payment).succeeded(reload(Payment, payment.id), actor=actor)
    return True


def handle_webhook(payload: bytes, signature: str | None) -> str:
    """Verify, dedupe and apply one gateway event. Returns 'processed', 'duplicate' or 'ignored'."""
    cfg = current_app.config
    verify_signature(payload, signature, cfg["STRIPE_WEBHOOK_SECRET"], int(cfg.get("STRIPE_WEBHOOK_TOLERANCE", 300)))
    try:
        event = GatewayEvent.model_validate_json(payload)
    except ValidationError:
        raise Invalid(_("事件格式无效")) from None
    event_id, event_type, obj = event.id, event.type, event.data.object
    pi = None
    if event_type.startswith("payment_intent.") and obj.get("object") == "payment_intent" and obj.get("id"):
        # Trust the gateway's current view of the intent rather than the event's copy; asked
        # before any database work so no transaction waits on the network.
        try:
            pi = Gateway.from_config().retrieve_payment_intent(str(obj["id"]))
        except GatewayError:
            pi = obj
    try:
        with db.session.begin_nested():
            db.session.add(WebhookEvent(event_id=event_id[:100], type=event_type[:60]))
            db.session.flush()
    except IntegrityError:
        return "duplicate"
    if pi is not None:  # one table holds the payments of every purpose: found by the intent's id
        return "processed" if apply_intent(pi) is not None else "ignored"
    return "ignored"


def refund_payment(payment: Payment, *, actor, system: bool = False) -> Payment:
    """Refund a succeeded payment in full; its purpose reverses what the success did (a booking's
    subsidy goes back to the budget)."""
    if not system:
        require_role(actor, "finance")
    if payment.status == "refunded":
        return payment
    if not MACHINE.can(payment, "refunded"):
        raise Conflict(_("只有已成功的付款可以退款"))
    purpose = purposes.of_payment(payment)
    if not purpose.refundable:
        raise Conflict(_("当前状态（%(status)s）不能执行此操作", status=status_label(payment.status)))
    refusal = purpose.refund_refusal(payment)
    if refusal:
        raise Conflict(refusal)
    try:
        refund = Gateway.from_config().create_refund(payment.payment_intent_id, payment.amount,
                                                     f"refund-{payment.idempotency_key}")
    except GatewayUnavailable:
        raise Unavailable(_("支付网关暂时无法连接，退款未执行")) from None
    except GatewayError as exc:
        raise Conflict(_("网关拒绝退款：%(message)s", message=exc.message)) from None
    if move(payment.id, "refunded", actor=actor, only_from=("succeeded",), action="refund",
            refund_id=refund.get("id"), refunded_amount=payment.amount):
        purpose.refunded(reload(Payment, payment.id), actor=actor)
    return reload(Payment, payment.id)
