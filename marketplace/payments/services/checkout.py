"""Starting a payment and confirming it with a card the browser handed to the gateway, for every purpose (payments.purposes).

Never double-charge, never lose a payment: the Payment row (with its Idempotency-Key) is COMMITTED
before the gateway is called, and the PaymentIntent id is committed before the card is confirmed,
so a crash or a timeout leaves a record that `reconcile()` can finish from the gateway's answer.
These are the only services that commit (`_checkpoint`): no transaction stays open during a call.
"""
import logging
import uuid
from typing import Annotated

from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy.exc import IntegrityError

from ...core import audit
from ...core.errors import Conflict, Invalid, Unavailable
from ...core.schema import validated
from ...extensions import db
from .. import purposes, rules
from ..gateway import CardDeclined, Gateway, GatewayError, GatewayUnavailable
from ..models import Payment
from .lookups import move, open_payment, reload
from .outcomes import apply_intent

log = logging.getLogger(__name__)
# The id of a card the gateway's script made in the browser (pm_… or card_…): the platform never sees a number.
PaymentMethodText = Annotated[str, Field(strict=True, max_length=80)]


def pending_message() -> str:
    return _("支付结果尚未确认，系统将自动核对，请勿重复付款")


def _checkpoint():
    """Make what we know durable before talking to the gateway (see the module docstring)."""
    db.session.commit()


def start_payment(target, *, actor) -> tuple[object, Payment | None]:
    """Pay what a target owes (a booking, a deal instalment: its purpose says how much and who may pay).
    Returns (target, payment with PaymentIntent), or settles at once when nothing is owed. Raises
    Unavailable when the gateway cannot be reached; Conflict while an attempt's outcome is unknown."""
    purpose = purposes.of_target(target)
    purpose.require_payer(target, actor=actor)
    target = purpose.lock(target)  # one attempt is chosen per target at a time
    purpose.check_payable(target)
    due = purpose.amount_due(target)
    if due == 0:
        purpose.settle_without_payment(target, actor=actor)
        return target, None
    payment = open_payment(target)
    if payment is not None and payment.status == "confirming":
        raise Conflict(pending_message())
    if payment is not None and payment.amount != due:
        move(payment.id, "canceled", actor=actor, only_from=(payment.status,))  # a new attempt, a new key
        payment = None
    # (a declined attempt is not reused: a new PaymentIntent is created for the next card)
    if payment is None:
        payment = _new_attempt(purpose, target, due, actor=actor)
    snap = _snapshot(purpose, target, payment)
    model, target_id = type(target), target.id
    if snap["pi"] is None:
        _checkpoint()  # the row is durable, and no transaction stays open during the gateway call
        pi = _create_intent(purpose, snap)
        # Only the first answer is kept: concurrent requests may each have created (the same) intent.
        move(snap["id"], "requires_payment_method", actor=actor, only_from=("created",),
             payment_intent_id=pi["id"], client_secret=pi.get("client_secret"))
        db.session.flush()
    return reload(model, target_id), reload(Payment, snap["id"])


def _new_attempt(purpose, target, due: int, *, actor) -> Payment:
    """Store a new attempt; when another request opened one first (a purpose's unique index), use theirs."""
    payment = Payment(purpose=purpose.name, amount=due, currency="cny", status="created", created_by_id=actor.id,
                      idempotency_key=f"{purpose.key_prefix(target)}-{uuid.uuid4().hex}")
    setattr(payment, purposes.COLUMNS[purpose.name], target.id)
    try:
        with db.session.begin_nested():
            db.session.add(payment)
            db.session.flush()
    except IntegrityError:
        payment = open_payment(target)
        if payment is None or payment.status == "confirming":
            raise Conflict(pending_message()) from None
        return payment
    audit.record("payment", payment.id, "create", actor=actor, to_state="created")
    return payment


def _snapshot(purpose, target, payment: Payment) -> dict:
    """What the gateway calls need, read while the rows are loaded (no database access later)."""
    return {"id": payment.id, "amount": payment.amount, "currency": payment.currency, "purpose": purpose.name,
            "key": payment.idempotency_key, "meta": purpose.metadata(target), "pi": payment.payment_intent_id,
            "unavailable": purpose.unavailable_message()}


def _create_intent(purpose, snap: dict) -> dict:
    gw = Gateway.from_config()
    try:
        return gw.create_payment_intent(snap["amount"], snap["currency"], snap["key"],
                                        metadata={"payment_id": snap["id"], "purpose": snap["purpose"],
                                                  **snap["meta"], "idempotency_key": snap["key"]})
    except GatewayUnavailable as exc:
        log.warning("payment %s: gateway unavailable creating the intent: %s", snap["id"], exc)
        raise Unavailable(snap["unavailable"]) from None
    except GatewayError as exc:
        log.error("payment %s: gateway refused the intent: %s", snap["id"], exc)
        raise Unavailable(_("支付网关拒绝了请求：%(message)s", message=exc.message)) from None


@validated
def pay_with_payment_method(target, *, actor, payment_method: PaymentMethodText) -> Payment | None:
    """Confirm what a target owes with a card the browser handed to the gateway itself (the gateway's
    script made it): the platform holds only its id (pm_… / card_…), never the card's number."""
    purpose = purposes.of_target(target)
    purpose.require_payer(target, actor=actor)
    if purpose.amount_due(target) and not rules.valid_payment_method_id(payment_method):
        raise Invalid.field("payment_method", _("银行卡信息无效，请重新填写"))
    target, payment = start_payment(target, actor=actor)  # nothing due: settled without the gateway
    if payment is None:
        return None
    snap = _snapshot(purpose, target, payment)
    _checkpoint()
    gw = Gateway.from_config()
    try:
        gw.update_payment_intent(snap["pi"], payment_method=payment_method)
    except CardDeclined as exc:
        return _declined(snap["id"], exc, actor=actor)
    except GatewayUnavailable:
        raise Unavailable(snap["unavailable"]) from None
    except GatewayError as exc:
        log.warning("payment %s: payment method refused by the gateway: %s (%s)", snap["id"], exc.message, exc.code)
        raise Invalid.field("payment_method", _("银行卡无法使用，请检查卡号和有效期")) from None
    if not move(snap["id"], "confirming", actor=actor, only_from=("requires_payment_method",), failure_message=None):
        raise Conflict(pending_message())
    _checkpoint()
    try:
        pi = gw.confirm_payment_intent(snap["pi"], f"{snap['key']}-confirm-{payment_method}")
    except CardDeclined as exc:
        return _declined(snap["id"], exc, actor=actor)
    except GatewayUnavailable as exc:
        if not exc.maybe_done:
            move(snap["id"], "requires_payment_method", actor=actor, only_from=("confirming",), failure_message=None)
            _checkpoint()
            raise Unavailable(snap["unavailable"]) from None
        pi = _ask_again(gw, snap, actor=actor)
    except GatewayError:
        pi = _ask_again(gw, snap, actor=actor)
    return apply_intent(pi, actor=actor)


def _ask_again(gw: Gateway, snap: dict, *, actor) -> dict:
    """The confirm's outcome is unknown: ask for the intent; if still unknown, leave it to reconcile."""
    try:
        pi = gw.retrieve_payment_intent(snap["pi"])
    except GatewayError:
        raise Conflict(pending_message()) from None
    if pi.get("status") not in ("succeeded", "requires_payment_method", "canceled"):
        raise Conflict(pending_message())
    if pi.get("status") == "requires_payment_method":
        err = pi.get("last_payment_error") or {}
        _declined(snap["id"], CardDeclined(err.get("message") or "declined", 402,
                                           err.get("decline_code") or err.get("code")), actor=actor)
    return pi


def _declined(payment_id, exc, *, actor) -> Payment:
    """Record the decline (its message in the platform's words, translated where shown) and tell the
    person next to the field it concerns, in their language; the gateway's own words go to the log."""
    refused = rules.decline(exc.code)
    log.info("payment %s declined: %s (%s)", payment_id, exc.message, exc.code)
    move(payment_id, "failed", actor=actor, failure_message=refused.message)
    _checkpoint()
    raise Invalid.field(refused.field, _(refused.message))
