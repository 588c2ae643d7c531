"""Paying a signed deal's instalments through the gateway, exactly as bookings are paid.

* the DealPayment row (with its Idempotency-Key) is COMMITTED before the gateway is called, and the
  PaymentIntent id before the card is confirmed, so a lost answer leaves a record `reconcile()` finishes;
* one open attempt per instalment (a partial unique index) and the instalment row locked while it is
  chosen: twenty concurrent pays of one instalment share one attempt and one PaymentIntent;
* success is applied once: a conditional UPDATE moves the row to `succeeded` (a partial unique index
  allows one success per instalment) and only that transaction marks the instalment paid and posts
  the ledger entry; the checkout answer, the webhook and reconcile may all report the same success.
"""
import logging
import uuid

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ...core import audit
from ...core.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from ...core.permissions import require_login
from ...core.timeutil import utcnow
from ...extensions import db
from ...payments import rules as card_rules
from ...payments.gateway import CardDeclined, Gateway, GatewayError, GatewayUnavailable
from ...payments.services.checkout import card_errors
from ..models import OPEN_PAYMENT_STATUSES, Deal, DealInstalment, DealPayment
from ..states import DEAL
from .deals import sides

log = logging.getLogger("marketplace.trading")
METADATA_KIND = "deal_instalment"


def _unavailable():
    return Unavailable(_("支付网关暂时无法连接，分期仍待支付，请稍后再试"))


def _pending():
    return Conflict(_("支付结果尚未确认，系统将自动核对，请勿重复付款"))


def _checkpoint():
    db.session.commit()


def _reload(model, ident):
    return db.session.execute(sa.select(model).where(model.id == ident)
                              .execution_options(populate_existing=True)).scalar_one()


def get_instalment(deal: Deal, seq) -> DealInstalment:
    inst = next((i for i in deal.instalments if i.seq == seq), None) if isinstance(seq, int) else None
    if inst is None:
        raise NotFound(_("该分期不存在"))
    return inst


def payments_of(deal: Deal) -> list[DealPayment]:
    ids = [i.id for i in deal.instalments]
    if not ids:
        return []
    return list(db.session.scalars(sa.select(DealPayment).where(DealPayment.instalment_id.in_(ids))
                                   .order_by(DealPayment.id)))


def _require_payer(deal: Deal, actor):
    require_login(actor)
    if "buyer" not in sides(deal, actor) or (deal.broker_user_id == actor.id and not actor.is_member_of(
            deal.buyer_org_id)):
        raise Forbidden(_("只有买方单位可以付款"))


def start_instalment_payment(deal: Deal, seq: int, *, actor) -> DealPayment:
    """Create (or reuse) the instalment's PaymentIntent. Raises Unavailable when the gateway is down."""
    _require_payer(deal, actor)
    inst = get_instalment(deal, seq)
    if deal.status != "signed":
        raise Conflict(_("只有已签约的交易可以付款"))
    # Serialise the choice of attempt per instalment (SQLite: BEGIN IMMEDIATE already does).
    inst = db.session.execute(sa.select(DealInstalment).where(DealInstalment.id == inst.id)
                              .with_for_update().execution_options(populate_existing=True)).scalar_one()
    if inst.status == "paid":
        raise Conflict(_("该期已付款"))
    payment = db.session.scalar(sa.select(DealPayment).where(DealPayment.instalment_id == inst.id,
                                                             DealPayment.status.in_(OPEN_PAYMENT_STATUSES)))
    if payment is None:
        payment = DealPayment(instalment_id=inst.id, amount=inst.amount, currency="cny", status="created",
                              idempotency_key=f"deal-{deal.id}-{inst.seq}-{uuid.uuid4().hex[:24]}",
                              created_by_id=actor.id)
        try:
            with db.session.begin_nested():
                db.session.add(payment)
                db.session.flush()
        except IntegrityError:  # another request opened the attempt first: use theirs
            payment = db.session.scalar(sa.select(DealPayment).where(
                DealPayment.instalment_id == inst.id, DealPayment.status.in_(OPEN_PAYMENT_STATUSES)))
            if payment is None:
                raise _pending() from None
        else:
            audit.record("deal_payment", payment.id, "create", actor, to_state="created")
    snap = _snapshot(payment, deal.id, inst.seq)
    if snap["pi"] is None:
        _checkpoint()  # the row is durable; no transaction stays open during the gateway call
        pi = _create_intent(snap)
        # Only the first answer is kept (a conditional UPDATE: concurrent requests may each get one).
        db.session.execute(sa.update(DealPayment).where(DealPayment.id == snap["id"],
                                                        DealPayment.payment_intent_id.is_(None))
                           .values(payment_intent_id=pi["id"], client_secret=pi.get("client_secret"),
                                   status="requires_payment_method", updated_at=utcnow())
                           .execution_options(synchronize_session=False))
    return _reload(DealPayment, snap["id"])


def _snapshot(payment: DealPayment, deal_id: int, seq: int) -> dict:
    return {"id": payment.id, "amount": payment.amount, "currency": payment.currency, "deal_id": deal_id,
            "seq": seq, "key": payment.idempotency_key, "pi": payment.payment_intent_id}


def _create_intent(snap: dict) -> dict:
    try:
        return Gateway.from_config().create_payment_intent(
            snap["amount"], snap["currency"], snap["key"],
            metadata={"kind": METADATA_KIND, "deal_payment_id": snap["id"], "deal_id": snap["deal_id"],
                      "instalment": snap["seq"], "idempotency_key": snap["key"]})
    except GatewayError as exc:
        log.warning("deal payment %s: gateway refused or unreachable: %s", snap["id"], exc)
        raise _unavailable() from None


def pay_instalment_with_card(deal: Deal, seq: int, *, actor, number: str, exp_month: int, exp_year: int,
                             cvc: str) -> DealPayment:
    """Confirm an instalment's payment with a card (test cards against localstripe)."""
    _require_payer(deal, actor)
    number = number.replace(" ", "") if isinstance(number, str) else number
    errors = card_errors(number, exp_month, exp_year, cvc)  # the bookings' checks: an expired card too
    if errors:
        raise Invalid(_("银行卡信息有误"), errors)
    exp_year = card_rules.full_year(exp_year)
    payment = start_instalment_payment(deal, seq, actor=actor)
    if payment.status == "confirming":
        raise _pending()
    snap = _snapshot(payment, deal.id, seq)
    _checkpoint()
    gw = Gateway.from_config()
    try:
        pm = gw.create_card_payment_method(number, exp_month, exp_year, cvc)
        customer = gw.create_customer({"deal_id": snap["deal_id"]}, f"{snap['key']}-cus-{pm['id']}")
        gw.attach_payment_method(pm["id"], customer["id"])
        gw.update_payment_intent(snap["pi"], payment_method=pm["id"], customer=customer["id"])
    except CardDeclined as exc:
        return _declined(snap["id"], exc)
    except GatewayUnavailable:
        raise _unavailable() from None
    except GatewayError as exc:
        log.warning("deal payment %s: card refused by the gateway: %s (%s)", snap["id"], exc.message, exc.code)
        refused = card_rules.decline(exc.code) if exc.code in card_rules.DECLINES else None
        raise Invalid.field(refused.field if refused else "number",
                            _(refused.message) if refused else _("银行卡无法使用，请检查卡号和有效期")) from None
    if not _set_status(snap["id"], "confirming", "requires_payment_method"):
        raise _pending()  # another attempt is confirming this payment
    _checkpoint()  # from here the charge may happen: reconcile knows to ask the gateway
    try:
        pi = gw.confirm_payment_intent(snap["pi"], f"{snap['key']}-confirm-{pm['id']}")
    except CardDeclined as exc:
        return _declined(snap["id"], exc)
    except GatewayUnavailable as exc:
        if not exc.maybe_done:
            _set_status(snap["id"], "requires_payment_method", "confirming")
            _checkpoint()
            raise _unavailable() from None
        pi = _ask_again(gw, snap)
    except GatewayError:
        pi = _ask_again(gw, snap)
    return apply_intent(pi, actor=actor)


def _ask_again(gw, snap):
    try:
        pi = gw.retrieve_payment_intent(snap["pi"])
    except GatewayError:
        raise _pending() from None
    if pi.get("status") not in ("succeeded", "requires_payment_method", "canceled"):
        raise _pending()
    if pi.get("status") == "requires_payment_method":
        err = pi.get("last_payment_error") or {}
        _declined(snap["id"], CardDeclined(err.get("message") or "declined", 402,
                                           err.get("decline_code") or err.get("code")))
    return pi


def _set_status(payment_id, to_state, from_state, message=None) -> bool:
    res = db.session.execute(sa.update(DealPayment).where(DealPayment.id == payment_id,
                                                          DealPayment.status == from_state)
                             .values(status=to_state, failure_message=message, updated_at=utcnow())
                             .execution_options(synchronize_session=False))
    return res.rowcount == 1


def _declined(payment_id, exc):
    """As for bookings (payments.rules.decline): the platform's words, next to the field concerned."""
    refused = card_rules.decline(exc.code)
    log.info("deal payment %s declined: %s (%s)", payment_id, exc.message, exc.code)
    db.session.execute(sa.update(DealPayment).where(DealPayment.id == payment_id, DealPayment.status != "succeeded")
                       .values(status="failed", failure_message=refused.message, updated_at=utcnow())
                       .execution_options(synchronize_session=False))
    _checkpoint()
    raise Invalid.field(refused.field, _(refused.message))


# -- applying the gateway's answer -----------------------------------------------------------------

def apply_intent(pi: dict, actor=None) -> DealPayment | None:
    """Bring our records in line with a PaymentIntent as the gateway reports it."""
    payment = db.session.scalar(sa.select(DealPayment).where(DealPayment.payment_intent_id == pi.get("id"))
                                .execution_options(populate_existing=True))
    if payment is None:
        return None
    status = pi.get("status")
    if status == "succeeded":
        if int(pi.get("amount", -1)) != payment.amount:
            log.error("deal payment %s: gateway amount %s differs from %s", payment.id, pi.get("amount"),
                      payment.amount)
            return payment
        _succeed(payment, actor)
    elif status == "requires_payment_method" and payment.status == "confirming":
        err = pi.get("last_payment_error") or {}
        _set_status(payment.id, "failed", "confirming",
                    card_rules.decline(err.get("decline_code") or err.get("code")).message)
    elif status == "canceled" and payment.status in (*OPEN_PAYMENT_STATUSES, "failed"):
        _set_status(payment.id, "canceled", payment.status)
    db.session.flush()
    return _reload(DealPayment, payment.id)


def _succeed(payment: DealPayment, actor=None) -> bool:
    """Mark succeeded exactly once; then the instalment is paid, the ledger posted, the deal maybe paid."""
    now = utcnow()
    moved = db.session.execute(
        sa.update(DealPayment).where(DealPayment.id == payment.id,
                                     DealPayment.status.in_((*OPEN_PAYMENT_STATUSES, "failed")))
        .values(status="succeeded", succeeded_at=now, failure_message=None, updated_at=now)
        .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        return False
    inst = _reload(DealInstalment, payment.instalment_id)
    if inst.status == "paid":
        log.error("deal payment %s succeeded but instalment %s was already paid", payment.id, inst.id)
        raise Conflict(_("该期已付款"))
    inst.status = "paid"
    inst.paid_at = now
    deal = _reload(Deal, inst.deal_id)
    from ..accounting import post_instalment_paid
    post_instalment_paid(deal, inst, payment, actor)
    audit.record("deal_payment", payment.id, "succeeded", actor, to_state="succeeded")
    audit.record("deal", deal.id, "pay", actor, comment=f"#{inst.seq} {inst.amount}")
    db.session.flush()
    db.session.expire(deal, ["instalments"])
    if all(i.status == "paid" for i in deal.instalments):
        deal.paid_at = now
        DEAL.apply(deal, "paid", actor, action="pay")
    db.session.flush()
    return True


def handle_gateway_event(sender, pi: dict) -> bool:
    """payments' webhook found a PaymentIntent of ours (metadata kind): apply it."""
    return apply_intent(pi) is not None


def reconcile(limit: int = 500) -> dict:
    """Ask the gateway about every instalment payment whose outcome we do not know; one transaction each."""
    from ...core.db import writing
    counts = {"checked": 0, "settled": 0, "failed": 0, "unreachable": 0}
    db.session.rollback()
    ids = list(db.session.scalars(sa.select(DealPayment.id).where(
        DealPayment.status.in_(OPEN_PAYMENT_STATUSES), DealPayment.payment_intent_id.is_not(None))
        .order_by(DealPayment.id).limit(limit)))
    db.session.rollback()
    gw = Gateway.from_config()
    for pid in ids:
        counts["checked"] += 1
        try:
            pi = gw.retrieve_payment_intent(_reload(DealPayment, pid).payment_intent_id)
        except GatewayError as exc:
            log.warning("reconcile deal payment %s: %s", pid, exc)
            counts["unreachable"] += 1
            db.session.rollback()
            continue
        with writing():
            db.session.rollback()
            try:
                before = _reload(DealPayment, pid).status
                after = apply_intent(pi).status
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("reconcile deal payment %s failed", pid)
                continue
        if after == "succeeded" and before != "succeeded":
            counts["settled"] += 1
        elif after == "failed" and before != "failed":
            counts["failed"] += 1
    return counts
