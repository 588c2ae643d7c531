"""Booking states, the transition table and the named actions: the one list of booking states.

Used by the models (CHECK constraint), the API schema (enum), the pure rules, the services
(`MACHINE.apply`, audited) and the pages (labels, buttons from `services.allowed_actions`).
"""
from flask_babel import lazy_gettext as _l

from ..core.statemachine import StateMachine

# state -> its label in the interface language
STATUSES = {
    "requested": _l("待审批"),
    "approved": _l("已批准"),
    "rejected": _l("已拒绝"),
    "in_use": _l("使用中"),
    "completed": _l("已完成"),
    "settled": _l("已结算"),
    "refunded": _l("已退款"),
    "cancelled": _l("已取消"),
    "no_show": _l("爽约"),
}
# Bookings in these states hold their time slot (no two of one instrument may overlap).
ACTIVE_STATUSES = ("requested", "approved", "in_use")

TRANSITIONS: dict[str, set[str]] = {
    "requested": {"approved", "rejected", "cancelled"},
    "approved": {"in_use", "cancelled", "no_show"},
    "in_use": {"completed"},
    "completed": {"settled"},
    "settled": {"refunded"},  # finance refunded the payment: never shown as settled again
    "refunded": set(),
    "rejected": set(),
    "cancelled": set(),
    "no_show": {"completed"},  # only by the lab's correction (services.corrections), within 3 working days
}

# Named actions (the buttons and the web/API verbs) -> the state they lead to.
ACTIONS = {"approve": "approved", "reject": "rejected", "check-in": "in_use", "complete": "completed",
           "cancel": "cancelled", "settle": "settled", "no-show": "no_show",
           "refund": "refunded"}

MACHINE = StateMachine("booking", TRANSITIONS, actions=ACTIONS)

# Usage recorded beyond the booking (a completed booking's `extension_status`): the lab records it as
# proposed with the usage, the user confirms it (billed) or declines it, once. Audited on the booking.
EXTENSION = StateMachine("booking", {"proposed": {"confirmed", "declined"}, "confirmed": set(), "declined": set()},
                         field="extension_status",
                         actions={"confirm-extension": "confirmed", "decline-extension": "declined"})


def status_label(status: str) -> str:
    label = STATUSES.get(status)
    return str(label) if label is not None else status


# -- training (培训申请 -> scheduled -> trained -> qualified) ----------------------------------------
TRAINING_STATUSES = {
    "requested": _l("待安排"),
    "scheduled": _l("已安排培训"),
    "trained": _l("已培训"),
    "qualified": _l("已取得资格"),
    "declined": _l("未通过/已拒绝"),
    "cancelled": _l("已撤回"),
}
TRAINING_OPEN = ("requested", "scheduled", "trained")
TRAINING = StateMachine("training_request", {
    "requested": {"scheduled", "trained", "declined", "cancelled"},  # trained at once: a walk-in session
    "scheduled": {"trained", "declined", "cancelled"},
    "trained": {"qualified", "declined"},
    "qualified": set(),
    "declined": set(),
    "cancelled": set(),
}, actions={"schedule": "scheduled", "train": "trained", "qualify": "qualified", "decline": "declined",
            "withdraw": "cancelled"})


def training_label(status: str) -> str:
    label = TRAINING_STATUSES.get(status)
    return str(label) if label is not None else status


# -- downtime ---------------------------------------------------------------------------------------
DOWNTIME_KINDS = {"maintenance": _l("维护保养"), "incident": _l("故障")}
SEVERITIES = {"low": _l("轻微"), "medium": _l("一般"), "high": _l("严重")}
