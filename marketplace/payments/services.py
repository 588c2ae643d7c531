"""Paying a completed booking through the gateway, webhooks, refunds and reconciliation.

Never double-charge, never lose a payment:
* the Payment row (with its Idempotency-Key) is COMMITTED before the gateway is called, and the
  PaymentIntent id is committed before the card is confirmed, so a crash or a timeout leaves a
  record that `reconcile()` can finish from the gateway's answer;
* the success of a payment is applied once: a conditional UPDATE moves the row to `succeeded`
  and only the transaction that made that move settles the booking and posts the ledger entry
  (the checkout answer, the webhook and reconcile may all report the same success);
* webhook events are verified (Stripe-Signature) and their ids stored (unique): replays are ignored.
"""
import json
import logging
import uuid

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..booking import services as booking_services
from ..booking.models import Booking
from ..core import audit
from ..core.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from ..core.permissions import require_login, require_role
from ..core.timeutil import utcnow
from ..extensions import db
from .. import ledger
from ..ledger import Cr, Dr
from . import signals
from .gateway import CardDeclined, Gateway, GatewayError, GatewayUnavailable, verify_signature
from .models import OPEN_STATUSES, Payment, WebhookEvent

log = logging.getLogger(__name__)
REUSABLE_STATUSES = ("created", "requires_payment_method", "confirming")
FEE_STATUSES = ("cancelled", "no_show")  # bookings that may owe a late-cancellation / no-show fee

UNAVAILABLE = "支付网关暂时无法连接，预约仍待支付，请稍后再试 / the payment gateway cannot be reached; " \
              "the booking stays payable, please try again later"
PENDING = "支付结果尚未确认，系统将自动核对，请勿重复付款 / the payment outcome is not confirmed yet; it will " \
          "be reconciled automatically, please do not pay again"
DECLINED = "银行卡被拒绝 / the card was declined"


def _checkpoint():
    """Make what we know durable before talking to the gateway (see the module docstring)."""
    db.session.commit()


def _reload(model, ident):
    return db.session.execute(sa.select(model).where(model.id == ident)
                              .execution_options(populate_existing=True)).scalar_one()


def get_payment(payment_id) -> Payment:
    p = db.session.get(Payment, payment_id) if isinstance(payment_id, int) else None
    if p is None:
        raise NotFound("支付记录不存在 / no such payment")
    return p


def payments_of(booking) -> list[Payment]:
    return list(db.session.scalars(sa.select(Payment).where(Payment.booking_id == booking.id)
                                   .order_by(Payment.id)))


def open_payment(booking) -> Payment | None:
    return db.session.scalar(sa.select(Payment).where(Payment.booking_id == booking.id,
                                                      Payment.status.in_(REUSABLE_STATUSES))
                             .order_by(Payment.id.desc()).limit(1))


def _require_payer(booking, actor):
    require_login(actor)
    if not (booking.user_id == actor.id or actor.is_member_of(booking.org_id) or actor.has_role("admin")):
        raise Forbidden("只有预约单位可以付款 / only the booking organisation may pay")


# -- starting a payment ----------------------------------------------------------------------------

def start_payment(booking, actor) -> tuple[Booking, Payment | None]:
    """Pay what a booking owes (`Booking.amount_due`): the payable of a completed booking, or the fee
    of a late cancellation / no-show. Returns (booking, payment with PaymentIntent), or settles at
    once when a completed booking owes nothing. Raises Unavailable when the gateway cannot be reached."""
    _require_payer(booking, actor)
    due = booking.amount_due
    if booking.status == "settled" or (booking.status in FEE_STATUSES and booking.cancel_fee_paid_at):
        raise Conflict("该预约已付款 / this booking is already paid")
    if booking.status in FEE_STATUSES and not due:
        raise Conflict("该预约无需付款 / nothing is owed for this booking")
    if booking.status not in ("completed", *FEE_STATUSES):
        raise Conflict("使用记录登记后才能付款 / the booking can be paid once its usage is recorded")
    if due == 0:
        booking_services.settle_booking(booking, actor, payment_ref=f"subsidy-{booking.id}")
        return booking, None
    payment = open_payment(booking)
    if payment is not None and payment.status == "confirming":
        raise Conflict(PENDING)
    if payment is not None and payment.amount != due:
        payment.status = "canceled"   # the amount changed: a new attempt with a new key
        payment = None
    # (a declined attempt is not reused: a new PaymentIntent is created for the next card)
    if payment is None:
        payment = Payment(booking_id=booking.id, amount=due, currency="cny",
                          idempotency_key=f"pay-{booking.id}-{uuid.uuid4().hex}", status="created",
                          created_by_id=actor.id)
        db.session.add(payment)
        db.session.flush()
        audit.record("payment", payment.id, "create", actor, to_state="created")
    snap = _snapshot(payment)
    booking_id = booking.id
    if snap["pi"] is None:
        _checkpoint()  # the row is durable, and no transaction stays open during the gateway call
        pi = _create_intent(snap)
        payment = _reload(Payment, snap["id"])
        if payment.payment_intent_id is None:
            payment.payment_intent_id = pi["id"]
            payment.client_secret = pi.get("client_secret")
            payment.status = "requires_payment_method"
            db.session.flush()
    return _reload(Booking, booking_id), _reload(Payment, snap["id"])


def _snapshot(payment: Payment) -> dict:
    """What the gateway calls need, read while the row is loaded (no database access later)."""
    return {"id": payment.id, "amount": payment.amount, "currency": payment.currency,
            "key": payment.idempotency_key, "booking_id": payment.booking_id, "pi": payment.payment_intent_id}


def _create_intent(snap: dict) -> dict:
    gw = Gateway.from_config()
    try:
        return gw.create_payment_intent(snap["amount"], snap["currency"], snap["key"],
                                        metadata={"payment_id": snap["id"], "booking_id": snap["booking_id"],
                                                  "idempotency_key": snap["key"]})
    except GatewayUnavailable as exc:
        log.warning("payment %s: gateway unavailable creating the intent: %s", snap["id"], exc)
        raise Unavailable(UNAVAILABLE) from None
    except GatewayError as exc:
        log.error("payment %s: gateway refused the intent: %s", snap["id"], exc)
        raise Unavailable(f"支付网关拒绝了请求 / the gateway refused the request: {exc.message}") from None


# -- paying with a card (the checkout page) --------------------------------------------------------

def pay_with_card(booking, actor, *, number: str, exp_month: int, exp_year: int, cvc: str) -> Payment:
    """Server-side card confirmation (test cards against localstripe). Returns the payment;
    raises Invalid (declined), Unavailable (gateway down) or Conflict (outcome pending).
    No database transaction is held open while the gateway is called."""
    _require_payer(booking, actor)
    errors = {}
    number = (number or "").replace(" ", "")
    if not (number.isdigit() and len(number) == 16):
        errors["number"] = ["卡号应为 16 位数字 / the card number has 16 digits"]
    if not (isinstance(exp_month, int) and 1 <= exp_month <= 12):
        errors["exp_month"] = ["月份无效 / invalid month"]
    if not (isinstance(exp_year, int) and 2000 <= exp_year <= 2100):
        errors["exp_year"] = ["年份无效 / invalid year"]
    if not (isinstance(cvc, str) and cvc.isdigit() and len(cvc) == 3):
        errors["cvc"] = ["安全码为 3 位数字 / the CVC has 3 digits"]
    if errors:
        raise Invalid("银行卡信息有误 / the card details are not valid", errors)
    booking, payment = start_payment(booking, actor)
    if payment is None:
        return None  # nothing was payable: settled without the gateway
    snap = _snapshot(payment)
    _checkpoint()
    gw = Gateway.from_config()
    try:
        pm = gw.create_card_payment_method(number, exp_month, exp_year, cvc)
        customer = gw.create_customer({"booking_id": snap["booking_id"]}, f"{snap['key']}-cus-{pm['id']}")
        gw.attach_payment_method(pm["id"], customer["id"])
        gw.update_payment_intent(snap["pi"], payment_method=pm["id"], customer=customer["id"])
    except CardDeclined as exc:
        return _declined(snap["id"], exc)
    except GatewayUnavailable:
        raise Unavailable(UNAVAILABLE) from None
    except GatewayError as exc:
        raise Invalid.field("number", f"银行卡无法使用 / the card cannot be used: {exc.message}") from None
    if not _set_status(snap["id"], "confirming", "requires_payment_method"):
        raise Conflict(PENDING)  # another attempt is confirming this payment
    _checkpoint()  # from here the charge may happen: reconcile knows to ask the gateway
    try:
        pi = gw.confirm_payment_intent(snap["pi"], f"{snap['key']}-confirm-{pm['id']}")
    except CardDeclined as exc:
        return _declined(snap["id"], exc)
    except GatewayUnavailable as exc:
        if not exc.maybe_done:  # never reached the gateway: nothing happened there
            _set_status(snap["id"], "requires_payment_method", "confirming")
            _checkpoint()
            raise Unavailable(UNAVAILABLE) from None
        pi = _ask_again(gw, snap)
    except GatewayError:
        pi = _ask_again(gw, snap)  # e.g. a retried confirm refused because the first one went through
    return apply_intent(pi, actor=actor)


def _ask_again(gw: Gateway, snap: dict) -> dict:
    """The confirm's outcome is unknown: ask for the intent; if still unknown, leave it to reconcile."""
    try:
        pi = gw.retrieve_payment_intent(snap["pi"])
    except GatewayError:
        raise Conflict(PENDING) from None
    if pi.get("status") not in ("succeeded", "requires_payment_method", "canceled"):
        raise Conflict(PENDING)
    if pi.get("status") == "requires_payment_method":
        _declined(snap["id"], CardDeclined((pi.get("last_payment_error") or {}).get("message") or DECLINED))
    return pi


def _set_status(payment_id, to_state, from_state, message=None) -> bool:
    res = db.session.execute(sa.update(Payment).where(Payment.id == payment_id, Payment.status == from_state)
                             .values(status=to_state, failure_message=message, updated_at=utcnow())
                             .execution_options(synchronize_session=False))
    return res.rowcount == 1


def _declined(payment_id, exc) -> Payment:
    db.session.execute(sa.update(Payment).where(Payment.id == payment_id, Payment.status != "succeeded")
                       .values(status="failed", failure_message=(exc.message or DECLINED)[:300],
                               updated_at=utcnow())
                       .execution_options(synchronize_session=False))
    _checkpoint()
    raise Invalid.field("number", f"{DECLINED}: {exc.message}")


# -- applying the gateway's answer (checkout, webhook, reconcile) ----------------------------------

def apply_intent(pi: dict, actor=None) -> Payment | None:
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
        _succeed(payment, actor)
    elif status == "requires_payment_method" and payment.status == "confirming":
        err = (pi.get("last_payment_error") or {}).get("message") or DECLINED
        _set_status(payment.id, "failed", "confirming", err[:300])
    elif status == "canceled" and payment.status in OPEN_STATUSES:
        _set_status(payment.id, "canceled", payment.status)
    db.session.flush()
    return _reload(Payment, payment.id)


def _succeed(payment: Payment, actor=None) -> bool:
    """Mark succeeded exactly once, then settle the booking and post the payment entry."""
    moved = db.session.execute(
        sa.update(Payment).where(Payment.id == payment.id, Payment.status.in_(OPEN_STATUSES))
        .values(status="succeeded", succeeded_at=utcnow(), failure_message=None, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        return False
    booking = _reload(Booking, payment.booking_id)
    if booking.amount_due != payment.amount:
        # Paid twice or the amount changed under us: keep the money traceable and refund it.
        log.error("payment %s succeeded but booking %s is %s (owes %s)", payment.id, booking.id,
                  booking.status, booking.amount_due)
        raise Conflict("付款与预约状态不一致，请联系平台 / the payment does not match the booking")
    if booking.status == "completed":
        booking_services.settle_booking(booking, actor, payment_ref=payment.payment_intent_id,
                                        payment_id=payment.id)
    else:  # a late-cancellation or no-show fee: the provider's income, with no subsidy
        booking_services.record_cancel_fee_paid(booking, actor, payment.payment_intent_id)
        ledger.post_entry("provider_income", [Dr("user_receivable", payment.amount, booking.org_id),
                                        Cr("provider_payable", payment.amount, booking.provider_org_id)],
                          booking_id=booking.id, payment_id=payment.id, actor=actor,
                          memo=f"预约 #{booking.id} 取消/爽约费用 / cancellation or no-show fee")
    ledger.post_entry("payment", [Dr("gateway_clearing", payment.amount, booking.org_id),
                            Cr("user_receivable", payment.amount, booking.org_id)],
                      programme_id=ledger.programme_of_booking(booking.id), booking_id=booking.id,
                      payment_id=payment.id,
                      actor=actor, memo=f"预约 #{booking.id} 付款 {payment.payment_intent_id}")
    audit.record("payment", payment.id, "succeeded", actor, to_state="succeeded")
    signals.payment_succeeded.send(payment, booking=booking, actor=actor)
    return True


# -- webhooks --------------------------------------------------------------------------------------

def handle_webhook(payload: bytes, signature: str | None) -> str:
    """Verify, dedupe and apply one gateway event. Returns 'processed', 'duplicate' or 'ignored'."""
    cfg = current_app.config
    verify_signature(payload, signature, cfg["STRIPE_WEBHOOK_SECRET"], int(cfg.get("STRIPE_WEBHOOK_TOLERANCE", 300)))
    try:
        event = json.loads(payload)
        event_id, event_type = event["id"], event["type"]
        obj = event["data"]["object"]
    except (ValueError, KeyError, TypeError):
        raise Invalid("事件格式无效 / malformed event") from None
    if not isinstance(event_id, str) or not isinstance(event_type, str) or not isinstance(obj, dict):
        raise Invalid("事件格式无效 / malformed event")
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
    kind = ((pi or {}).get("metadata") or {}).get("kind")
    if pi is not None and kind and kind != "booking":  # another domain's payment (see signals.py)
        from .signals import intent_event
        return "processed" if any(ok for _fn, ok in intent_event.send(kind, pi=pi)) else "ignored"
    if pi is not None:
        return "processed" if apply_intent(pi) is not None else "ignored"
    return "ignored"


# -- refunds ---------------------------------------------------------------------------------------

def refund_payment(payment: Payment, actor, *, system: bool = False) -> Payment:
    """Refund a succeeded payment in full; the booking's subsidy goes back to the budget."""
    if not system:
        require_role(actor, "finance")
    if payment.status == "refunded":
        return payment
    if payment.status != "succeeded":
        raise Conflict("只有已成功的付款可以退款 / only a succeeded payment can be refunded")
    try:
        refund = Gateway.from_config().create_refund(payment.payment_intent_id, payment.amount,
                                                     f"refund-{payment.idempotency_key}")
    except GatewayUnavailable:
        raise Unavailable("支付网关暂时无法连接，退款未执行 / the gateway cannot be reached; nothing was refunded") from None
    except GatewayError as exc:
        raise Conflict(f"网关拒绝退款 / the gateway refused the refund: {exc.message}") from None
    moved = db.session.execute(
        sa.update(Payment).where(Payment.id == payment.id, Payment.status == "succeeded")
        .values(status="refunded", refund_id=refund.get("id"), refunded_amount=payment.amount, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if moved.rowcount == 1:
        booking = db.session.get(Booking, payment.booking_id)
        if booking.status in FEE_STATUSES:  # a cancellation fee: the provider gives its income back
            ledger.post_entry("refund", [Dr("provider_payable", payment.amount, booking.provider_org_id),
                                   Cr("gateway_clearing", payment.amount, booking.org_id)],
                              booking_id=booking.id, payment_id=payment.id, actor=actor,
                              memo=f"预约 #{booking.id} 取消费用退款 / cancellation fee refunded")
        else:
            signals.payment_refunded.send(payment, booking=booking, actor=actor)
        audit.record("payment", payment.id, "refund", actor, from_state="succeeded", to_state="refunded")
    return _reload(Payment, payment.id)


# -- reconciliation --------------------------------------------------------------------------------

def _find_intent_by_metadata(gw: Gateway, payment: Payment) -> dict | None:
    """A PaymentIntent created but whose id we never learnt (the answer was lost)."""
    starting_after = None
    for _page in range(50):
        page = gw.list_payment_intents(limit=100, starting_after=starting_after)
        for pi in page.get("data", []):
            if (pi.get("metadata") or {}).get("idempotency_key") == payment.idempotency_key:
                return pi
        if not page.get("has_more") or not page.get("data"):
            return None
        starting_after = page["data"][-1]["id"]
    return None


def reconcile(limit: int = 500) -> dict:
    """Ask the gateway about every payment whose outcome we do not know, and apply the answer.
    Each payment is its own transaction. Returns counts."""
    from ..core.db import writing
    counts = {"checked": 0, "settled": 0, "failed": 0, "unreachable": 0}
    db.session.rollback()
    ids = list(db.session.scalars(sa.select(Payment.id).where(
        Payment.status.in_(("created", "requires_payment_method", "confirming"))).order_by(Payment.id).limit(limit)))
    db.session.rollback()
    gw = Gateway.from_config()
    for pid in ids:
        counts["checked"] += 1
        try:
            payment = _reload(Payment, pid)
            if payment.payment_intent_id:
                pi = gw.retrieve_payment_intent(payment.payment_intent_id)
            else:
                pi = _find_intent_by_metadata(gw, payment)
                db.session.rollback()
                if pi is None:
                    continue
        except GatewayError as exc:
            log.warning("reconcile payment %s: %s", pid, exc)
            counts["unreachable"] += 1
            db.session.rollback()
            continue
        with writing():
            db.session.rollback()
            try:
                payment = _reload(Payment, pid)
                if payment.payment_intent_id is None:
                    payment.payment_intent_id = pi["id"]
                    payment.client_secret = pi.get("client_secret")
                    payment.status = "requires_payment_method"
                    db.session.flush()
                before = payment.status
                after = apply_intent(pi).status
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("reconcile payment %s failed", pid)
                continue
        if after == "succeeded" and before != "succeeded":
            counts["settled"] += 1
        elif after == "failed" and before != "failed":
            counts["failed"] += 1
    return counts


def payment_json(payment: Payment | None) -> dict | None:
    if payment is None:
        return None
    return {"id": payment.id, "booking_id": payment.booking_id, "amount": payment.amount,
            "currency": payment.currency, "status": payment.status, "payment_intent": payment.payment_intent_id,
            "failure_message": payment.failure_message}
