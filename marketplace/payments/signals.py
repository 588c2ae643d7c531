"""Signals other domains connect to, so payments need not know them.

`intent_event` is sent with the PaymentIntent of a webhook event whose metadata `kind` names another
domain's payment (e.g. "deal_instalment"): `intent_event.connect(fn, sender="deal_instalment")`;
a receiver returns True when it applied the intent.
"""
from blinker import Namespace

_signals = Namespace()
intent_event = _signals.signal("payments.intent_event")
