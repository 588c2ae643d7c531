"""Payment signals, sent synchronously inside the service, in the same transaction. Receivers get
`(payment, booking=..., actor=...)`; a receiver may raise a DomainError to abort the operation.

Payments imports nothing from the domains that react to it (the subsidy returns its part of a
refunded booking to the budget through `payment_refunded`).
"""
from blinker import Namespace

_signals = Namespace()

payment_succeeded = _signals.signal("payment-succeeded")  # open -> succeeded, booking settled, entry posted
payment_refunded = _signals.signal("payment-refunded")    # succeeded -> refunded (a completed booking's payment)

# Sent by the webhook with the PaymentIntent of an event whose metadata `kind` names another domain's
# payment (e.g. "deal_instalment"): `intent_event.connect(fn, sender=kind)`; fn(sender, pi=...) returns
# True when it applied the intent.
intent_event = _signals.signal("payment-intent-event")
