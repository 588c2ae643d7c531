"""Registration states and the one table of allowed transitions.

draft → submitted → registered | refused, or → returned (补正: the clock stops) → submitted (the clock
restarts). A registered contract is cancelled (注销) when a cancellation application referencing it is
approved; an approved amendment (变更) changes the registered record in place and keeps its number.
"""
from flask_babel import lazy_gettext as _l

from ..core.statemachine import StateMachine

STATUSES = {
    "draft": _l("草稿"),
    "submitted": _l("待审查"),
    "returned": _l("退回补正"),
    "registered": _l("已登记"),
    "refused": _l("不予登记"),
    "cancelled": _l("已注销"),
}

TRANSITIONS: dict[str, set[str]] = {
    "draft": {"submitted"},
    "submitted": {"returned", "registered", "refused"},
    "returned": {"submitted"},
    "registered": {"cancelled"},
    "refused": set(),
    "cancelled": set(),
}

MACHINE = StateMachine("contract_registration", TRANSITIONS, actions={
    "submit": "submitted", "return": "returned", "approve": "registered", "refuse": "refused",
})

APPLICANT_ACTIONS = frozenset({"submit"})
REGISTRAR_ACTIONS = frozenset({"return", "approve", "refuse"})
EDITABLE = frozenset({"draft", "returned"})
# States in which a contract counts in the statistics and verifies as registered.
IN_FORCE = ("registered",)
