"""The filing state machine and the lists of choices (no imports of the app: used by pure rules)."""
from flask_babel import lazy_gettext as _l

from ..core.statemachine import StateMachine

STATUSES = {
    "draft": _l("草稿"),
    "submitted": _l("已提交"),
    "under_review": _l("审核中"),
    "returned": _l("退回补正"),
    "approved": _l("已备案"),
    "rejected": _l("未通过"),
    "suspended": _l("已暂停"),
    "revoked": _l("已撤销"),
}

FILING = StateMachine("filing", {
    "draft": {"submitted"},
    "submitted": {"under_review"},
    "under_review": {"returned", "approved", "rejected"},
    "returned": {"submitted"},
    "approved": {"suspended", "revoked"},
    "suspended": {"approved", "revoked"},
    "rejected": set(),
    "revoked": set(),
}, actions={
    "submit": "submitted", "start-review": "under_review", "return": "returned", "approve": "approved",
    "reject": "rejected", "suspend": "suspended", "reinstate": "approved", "revoke": "revoked",
})

# Who takes which action: the applicant side, reviewers (reviewer role) or platform admins only.
APPLICANT_ACTIONS = {"submit"}
REVIEWER_ACTIONS = {"start-review", "return", "approve", "reject"}
ADMIN_ACTIONS = {"suspend", "reinstate", "revoke"}
# Public: the directory lists these; the verify page answers for numbered firms.
LISTED = ("approved", "suspended")
EDITABLE = ("draft", "returned")

LEVELS = {"junior": _l("初级"), "intermediate": _l("中级"), "senior": _l("高级")}
SECTIONS = {"basic": _l("基本信息"), "managers": _l("技术经理人"), "documents": _l("证明材料"),
            "general": _l("总体意见")}

REPORT_STATUSES = {"draft": _l("填写中"), "submitted": _l("已提交")}
REPORT = StateMachine("annual_report", {"draft": {"submitted"}, "submitted": set()},
                      actions={"submit": "submitted"})
GRADES = {"excellent": _l("优秀"), "qualified": _l("合格"), "unqualified": _l("不合格")}
