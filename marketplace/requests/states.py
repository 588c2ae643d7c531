"""Request states and each kind's machine. Kinds share the generic machine unless their steps differ:
a loan goes to the city bureau (platform staff) and then to the bank (the product's organisation); a
secondment, once the sending unit accepts, waits for the three-party agreement."""
from flask_babel import lazy_gettext as _l

from ..core.statemachine import StateMachine

STATUSES = {
    "draft": _l("草稿"),
    "submitted": _l("已提交"),
    "accepted": _l("已受理"),
    "bank_review": _l("银行审核中"),
    "agreement": _l("三方协议确认中"),
    "in_progress": _l("办理中"),
    "completed": _l("已完成"),
    "declined": _l("未通过"),
    "withdrawn": _l("已撤回"),
}
OPEN = ("submitted", "accepted", "bank_review", "agreement", "in_progress")
CLOSED = ("completed", "declined", "withdrawn")

GENERIC = StateMachine("service_request", {
    "draft": {"submitted", "withdrawn"},
    "submitted": {"accepted", "declined", "withdrawn"},
    "accepted": {"in_progress", "completed", "declined", "withdrawn"},
    "in_progress": {"in_progress", "completed", "declined"},
    "completed": set(), "declined": set(), "withdrawn": set(),
}, actions={"submit": "submitted", "accept": "accepted", "progress": "in_progress", "complete": "completed",
            "decline": "declined", "withdraw": "withdrawn"})

LOAN = StateMachine("service_request", {
    "draft": {"submitted", "withdrawn"},
    "submitted": {"bank_review", "declined", "withdrawn"},      # the city bureau's review
    "bank_review": {"completed", "declined", "withdrawn"},      # the bank's review
    "completed": set(), "declined": set(), "withdrawn": set(),
}, actions={"submit": "submitted", "accept": "bank_review", "grant": "completed", "decline": "declined",
            "withdraw": "withdrawn"})

SECONDMENT = StateMachine("service_request", {
    "draft": {"submitted", "withdrawn"},
    "submitted": {"agreement", "declined", "withdrawn"},        # the sending unit accepts
    "agreement": {"in_progress", "declined", "withdrawn"},      # all three parties confirm
    "in_progress": {"in_progress", "completed"},                # the placement is under way
    "completed": set(), "declined": set(), "withdrawn": set(),
}, actions={"submit": "submitted", "accept": "agreement", "confirm": "in_progress", "progress": "in_progress",
            "complete": "completed", "decline": "declined", "withdraw": "withdrawn"})

# Who handles a request in a state: "staff" (platform reviewers), "owner" (the resource's organisation),
# "parties" (the three parties of a secondment). Anything not listed is the owner's.
STAFF_STEPS = {("loan", "submitted")}
PARTY_STEPS = {("secondment", "agreement")}

ACTION_LABELS = {
    "submit": _l("提交"), "accept": _l("受理"), "grant": _l("银行审批通过"), "confirm": _l("确认三方协议"),
    "progress": _l("记录进展"), "complete": _l("办结"), "decline": _l("不予通过"), "withdraw": _l("撤回"),
    "create": _l("创建"), "note": _l("跟进记录"),
}
SECONDMENT_PARTIES = {"company": _l("用人企业"), "researcher": _l("科研人员"), "sending_unit": _l("派出单位")}
