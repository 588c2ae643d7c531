"""Paying a booking and the gateway's webhook."""
from flask import request

from ..booking import services as booking_services
from ..core.permissions import require_login
from ..core.web import problem
from ..extensions import csrf, db
from ..payments import services
from ..payments.gateway import BadSignature
from . import bp
from .bookings import booking_dict
from .common import api_actor


@bp.post("/bookings/<int:booking_id>/pay")
def pay_booking(booking_id):
    """Create (or reuse) the PaymentIntent for what a booking owes: a completed booking's payable, or a
    late-cancellation / no-show fee. A completed booking that owes nothing is settled at once."""
    actor = require_login(api_actor())
    booking = booking_services.get_booking(booking_id, actor=actor)
    booking, payment = services.start_payment(booking, actor)
    db.session.commit()
    body = booking_dict(booking)
    body["payment"] = services.payment_json(payment)
    body["payment_intent"] = payment.payment_intent_id if payment else None
    body["client_secret"] = payment.client_secret if payment else None
    return body


@bp.post("/payments/<int:payment_id>/refund")
def refund_payment(payment_id):
    """Finance refunds a succeeded payment in full; the booking's subsidy returns to the budget."""
    actor = require_login(api_actor())
    payment = services.refund_payment(services.get_payment(payment_id), actor)
    db.session.commit()
    return services.payment_json(payment)


@bp.post("/payments/webhook")
@csrf.exempt
def payments_webhook():
    payload = request.get_data(cache=False)
    try:
        outcome = services.handle_webhook(payload, request.headers.get("Stripe-Signature"))
    except BadSignature as exc:
        db.session.rollback()
        return problem(400, "Bad signature", f"签名无效 / invalid signature: {exc}")
    db.session.commit()
    return {"received": True, "outcome": outcome}


OPENAPI_PATHS = {
    "/bookings/{id}/pay": {"post": {
        "summary": "Pay what a booking owes (a completed booking, or a late-cancellation / no-show fee): returns the booking plus payment_intent and client_secret "
                   "(both null when nothing was payable and the booking was settled at once)",
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "booking + payment_intent, client_secret"},
                      "409": {"description": "not completed, already paid, or an outcome is pending"},
                      "503": {"description": "the gateway cannot be reached; the booking stays payable"}}}},
    "/payments/{id}/refund": {"post": {
        "summary": "Refund a succeeded payment in full (finance role); the subsidy returns to the budget",
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "the payment (status refunded)"},
                      "403": {"description": "not finance"}, "404": {"description": "no such payment"},
                      "409": {"description": "not a succeeded payment"},
                      "503": {"description": "the gateway cannot be reached; nothing was refunded"}}}},
    "/payments/webhook": {"post": {
        "summary": "Stripe-signed gateway events (Stripe-Signature: t=…,v1=HMAC-SHA256(secret, 't.payload'))",
        "responses": {"200": {"description": "{received, outcome: processed|duplicate|ignored}"},
                      "400": {"description": "bad or stale signature"}}}},
}
