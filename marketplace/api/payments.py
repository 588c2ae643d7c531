"""Paying a booking, refunds and the gateway's webhook."""
from flask import request
from flask_babel import gettext as _

from ..booking import services as booking_services
from ..booking.schemas import BookingOut
from ..core.errors import DomainError
from ..core.permissions import require_login
from ..payments import services
from ..payments.gateway import BadSignature
from ..payments.schemas import BookingPaymentOut, PaymentOut, WebhookOut
from .common import api_actor
from .spec import endpoint


class BadWebhookSignature(DomainError):
    status = 400
    title = "Bad signature"


@endpoint("/bookings/<int:id>/pay", "POST", answer=BookingPaymentOut, errors=(401, 403, 404, 409, 503),
          tags=["payments"])
def pay_booking(id):
    """Pay what a booking owes (a completed booking, or a late-cancellation / no-show fee): the booking
    plus the PaymentIntent and its client_secret (all null when nothing was payable and the booking was
    settled at once). 409: not completed, already paid, or an outcome is pending; 503: the gateway
    cannot be reached and the booking stays payable."""
    actor = require_login(api_actor())
    booking = booking_services.get_booking(id, actor=actor)
    booking, payment = services.start_payment(booking, actor=actor)
    return BookingPaymentOut(**BookingOut.model_validate(booking).model_dump(),
                             payment=PaymentOut.model_validate(payment) if payment else None,
                             payment_intent=payment.payment_intent_id if payment else None,
                             client_secret=payment.client_secret if payment else None)


@endpoint("/payments/<int:id>/refund", "POST", answer=PaymentOut, errors=(401, 403, 404, 409, 503),
          tags=["payments"])
def refund_payment(id):
    """Finance refunds a succeeded payment in full; the booking's subsidy returns to the budget."""
    actor = require_login(api_actor())
    return PaymentOut.model_validate(services.refund_payment(services.get_payment(id), actor=actor))


@endpoint("/payments/webhook", "POST", answer=WebhookOut, errors=(400, 422), tags=["payments"])
def payments_webhook():
    """Stripe-signed gateway events (Stripe-Signature: t=…,v1=HMAC-SHA256(secret, 't.payload'));
    400 for a bad or stale signature."""
    try:
        outcome = services.handle_webhook(request.get_data(cache=False), request.headers.get("Stripe-Signature"))
    except BadSignature as exc:
        raise BadWebhookSignature(_("签名无效：%(reason)s", reason=exc)) from None
    return WebhookOut(received=True, outcome=outcome)
