"""Reconciliation (`flask payments reconcile`): finish payments whose outcome was lost, of every purpose
(a booking's and a deal instalment's alike: the gateway's answer is applied by the one `apply_intent`).

Each payment is its own unit of work, so one payment that cannot be finished does not hold back
the others."""
import logging

import sqlalchemy as sa

from ...core.uow import unit_of_work
from ...extensions import db
from ..gateway import Gateway, GatewayError
from ..models import Payment
from .lookups import move, reload
from .outcomes import apply_intent

log = logging.getLogger(__name__)


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
    counts = {"checked": 0, "settled": 0, "failed": 0, "unreachable": 0}
    db.session.rollback()
    ids = list(db.session.scalars(sa.select(Payment.id).where(
        Payment.status.in_(("created", "requires_payment_method", "confirming"))).order_by(Payment.id).limit(limit)))
    db.session.rollback()
    gw = Gateway.from_config()
    for pid in ids:
        counts["checked"] += 1
        try:
            payment = reload(Payment, pid)
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
        db.session.rollback()  # the unit of work below begins a fresh (writing) transaction
        try:
            with unit_of_work(show=False):
                payment = reload(Payment, pid)
                if payment.payment_intent_id is None:
                    move(pid, "requires_payment_method", only_from=("created",), payment_intent_id=pi["id"],
                         client_secret=pi.get("client_secret"))
                    payment = reload(Payment, pid)
                before = payment.status
                after = apply_intent(pi).status
        except Exception:
            log.exception("reconcile payment %s failed", pid)
            continue
        if after == "succeeded" and before != "succeeded":
            counts["settled"] += 1
        elif after == "failed" and before != "failed":
            counts["failed"] += 1
    return counts
