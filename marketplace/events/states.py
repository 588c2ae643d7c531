"""Event kinds and the registration state table."""
from flask_babel import lazy_gettext as _l

from ..core.statemachine import StateMachine

EVENT_KINDS = {
    "matchmaking": _l("对接会"),
    "fair": _l("产学研合作成果展示洽谈会"),
    "training": _l("培训"),
}
EVENT_STATUSES = {"published": _l("报名中"), "cancelled": _l("已取消")}
REGISTRATION_STATUSES = {
    "registered": _l("已报名"),
    "waitlisted": _l("候补中"),
    "cancelled": _l("已取消"),
}

REGISTRATION = StateMachine("event_registration", {
    "registered": {"cancelled"},
    "waitlisted": {"registered", "cancelled"},
    "cancelled": {"registered", "waitlisted"},
}, actions={"unregister": "cancelled"})
