"""Starting a payment and paying it by card through the gateway, for every purpose (payments.purposes).

Never double-charge, never lose a payment: the Payment row (with its Idempotency-Key) is COMMITTED
before the gateway is called, and the PaymentIntent id is committed before the card is confirmed,
so a crash or a timeout leaves a record that `reconcile()` can finish from the gateway's answer.
These are the only services that commit (`_checkpoint`): no transaction stays open during a call.
"""
import logging
import uuid

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ...core import audit
from ...core.errors import Conflict, Invalid, Unavailable
from ...core.timeutil import to_local, utcnow
from ...extensions import db
from .. import purposes, rules
from ..gateway import CardDeclined, Gateway, GatewayError, GatewayUnavailable
from ..models import Payment
from .lookups import move, open_payment, reload
from .outcomes import apply_intent

log = logging.getLogger(__name__)


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


def card_errors(number, exp_month, exp_year, cvc, today=None) -> dict:
    """Errors by field of a card typed in, found before the gateway is called (an expired card too)."""
    errors = {}
    if not (isinstance(number, str) and number.isdigit() and len(number) == 16):
        errors["number"] = [_("卡号应为 16 位数字")]
    expiry = rules.expiry_error(exp_month, exp_year, today or to_local(utcnow()).date())
    if expiry:
        field, message = expiry
        errors[field] = [_(message, m=exp_month if isinstance(exp_month, int) else 0,
                           y=rules.full_year(exp_year) if isinstance(exp_year, int) else "")]
    if not (isinstance(cvc, str) and cvc.isdigit() and len(cvc) == 3):
        errors["cvc"] = [_("安全码为 3 位数字")]
    return errors


def pay_with_card(target, *, actor, number: str, exp_month: int, exp_year: int, cvc: str) -> Payment | None:
    """Server-side card confirmation of what a target owes (test cards against localstripe). Returns the
    payment (None when nothing was payable); raises Invalid (declined), Unavailable (gateway down) or
    Conflict (outcome pending). No database transaction is held open while the gateway is called."""
    purpose = purposes.of_target(target)
    purpose.require_payer(target, actor=actor)
    number = number.replace(" ", "") if isinstance(number, str) else number
    errors = card_errors(number, exp_month, exp_year, cvc)
    if errors:
        raise Invalid(_("银行卡信息有误"), errors)
    exp_year = rules.full_year(exp_year)
    target, payment = start_payment(target, actor=actor)
    if payment is None:
        return None  # nothing was payable: settled without the gateway
    snap = _snapshot(purpose, target, payment)
    _checkpoint()
    gw = Gateway.from_config()
    try:
        pm = gw.create_card_payment_method(number, exp_month, exp_year, cvc)
        customer = gw.create_customer(snap["meta"], f"{snap['key']}-cus-{pm['id']}")
        gw.attach_payment_method(pm["id"], customer["id"])
        gw.update_payment_intent(snap["pi"], payment_method=pm["id"], customer=customer["id"])
    except CardDeclined as exc:
        return _declined(snap["id"], exc, actor=actor)
    except GatewayUnavailable:
        raise Unavailable(snap["unavailable"]) from None
    except GatewayError as exc:
        refused = rules.decline(exc.code) if exc.code in rules.DECLINES else None
        if refused is None:
            log.warning("payment %s: card refused by the gateway: %s (%s)", snap["id"], exc.message, exc.code)
            raise Invalid.field("number", _("银行卡无法使用，请检查卡号和有效期")) from None
        raise Invalid.field(refused.field, _(refused.message)) from None
    if not move(snap["id"], "confirming", actor=actor, only_from=("requires_payment_method",), failure_message=None):
        raise Conflict(pending_message())  # another attempt is confirming this payment
    _checkpoint()  # from here the charge may happen: reconcile knows to ask the gateway
    try:
        pi = gw.confirm_payment_intent(snap["pi"], f"{snap['key']}-confirm-{pm['id']}")
    except CardDeclined as exc:
        return _declined(snap["id"], exc, actor=actor)
    except GatewayUnavailable as exc:
        if not exc.maybe_done:  # never reached the gateway: nothing happened there
            move(snap["id"], "requires_payment_method", actor=actor, only_from=("confirming",), failure_message=None)
            _checkpoint()
            raise Unavailable(snap["unavailable"]) from None
        pi = _ask_again(gw, snap, actor=actor)
    except GatewayError:
        pi = _ask_again(gw, snap, actor=actor)  # e.g. a retried confirm refused because the first one went through
    return apply_intent(pi, actor=actor)


def pay_with_payment_method(target, *, actor, payment_method: str) -> Payment | None:
    """Confirm what a target owes with a card the browser handed to the gateway itself (the gateway's
    script made it): the platform holds only its id (pm_… / card_…), never the card's number."""
    purpose = purposes.of_target(target)
    purpose.require_payer(target, actor=actor)
    if not (isinstance(payment_method, str) and rules.valid_payment_method_id(payment_method)):
        raise Invalid.field("payment_method", _("银行卡信息无效，请重新填写"))
    target, payment = start_payment(target, actor=actor)
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
