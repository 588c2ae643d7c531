"""Payment states and the transition table: the one list of payment states.

created: row stored, PaymentIntent not (yet) known; requires_payment_method: PI created;
confirming: confirm sent, outcome not yet known; succeeded: paid and settled; failed: declined
(a new attempt may follow); canceled: replaced (the amount changed) or canceled at the gateway;
refunded: money returned.

The services move a payment with a conditional UPDATE whose WHERE clause lists the states the
table allows the move from (`sources`), so concurrent answers (checkout, webhook, reconcile) apply a
move once; every move is audited.
"""
from flask_babel import lazy_gettext as _l

from ..core.statemachine import StateMachine

STATUSES = {
    "created": _l("已创建"),
    "requires_payment_method": _l("待付款"),
    "confirming": _l("确认中"),
    "succeeded": _l("已付款"),
    "failed": _l("付款失败"),
    "canceled": _l("已作废"),
    "refunded": _l("已退款"),
}
PAYMENT_STATUSES = tuple(STATUSES)
OPEN_STATUSES = ("created", "requires_payment_method", "confirming", "failed")
REUSABLE_STATUSES = ("created", "requires_payment_method", "confirming")

TRANSITIONS: dict[str, set[str]] = {
    "created": {"requires_payment_method", "succeeded", "failed", "canceled"},
    "requires_payment_method": {"confirming", "succeeded", "failed", "canceled"},
    "confirming": {"requires_payment_method", "succeeded", "failed", "canceled"},
    "failed": {"succeeded", "canceled"},
    "succeeded": {"refunded"},
    "canceled": set(),
    "refunded": set(),
}

MACHINE = StateMachine("payment", TRANSITIONS, actions={"refund": "refunded"})


def status_label(status: str) -> str:
    label = STATUSES.get(status)
    return str(label) if label is not None else status
