"""The one payment engine, for every purpose (payments.purposes), split by what happens:

    lookups    finding payments, who may pay a booking (`allowed_actions`), the audited status move
    checkout   starting a payment and confirming it with the card id the gateway's script made (the only
               services that commit: see there)
    outcomes   applying the gateway's answer once, webhooks, refunds
    reconcile  finishing payments whose outcome was lost
    bookings   the booking purpose (trading declares the deal-instalment one)

Entity first, actor keyword-only: `start_payment(booking, actor=user)`, `pay_with_payment_method(instalment,
actor=user, payment_method="pm_…")`, `refund_payment(payment, actor=user)`.
"""
from .checkout import pay_with_payment_method, start_payment
from .lookups import (
    FEE_STATUSES,
    Receipt,
    allowed_actions,
    get_payment,
    may_pay,
    open_payment,
    payments_of,
    receipt_of,
)
from .outcomes import apply_intent, handle_webhook, refund_payment
from .reconcile import reconcile

__all__ = ["FEE_STATUSES", "allowed_actions", "apply_intent", "get_payment", "handle_webhook", "may_pay",
           "open_payment", "pay_with_payment_method", "payments_of", "Receipt", "receipt_of", "reconcile", "refund_payment", "start_payment"]
