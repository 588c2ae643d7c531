"""The listing and listing-revision state machines (no app imports beyond core)."""
from flask_babel import lazy_gettext as _l

from ..core.statemachine import StateMachine

LIFECYCLE = StateMachine("resource", {
    "draft": {"pending_review", "archived"},
    "pending_review": {"published", "rejected"},
    "rejected": {"pending_review", "archived"},
    "published": {"offline", "archived"},
    "offline": {"pending_review", "archived"},
    "archived": set(),
})

# A material edit of a published listing waits as a revision: the published version stays public until
# a reviewer approves it. One pending revision per listing: a new edit supersedes it; the owner may
# withdraw it; it is withdrawn when the listing leaves publication (offline, archived).
REVISION = StateMachine("resource_revision", {
    "pending": {"approved", "rejected", "withdrawn", "superseded"},
    "approved": set(),
    "rejected": set(),
    "withdrawn": set(),
    "superseded": set(),
}, actions={"approve": "approved", "reject": "rejected", "withdraw": "withdrawn"})

REVISION_STATUSES = {
    "pending": _l("修改待审核"),
    "approved": _l("修改已通过"),
    "rejected": _l("修改已退回"),
    "withdrawn": _l("修改已撤回"),
    "superseded": _l("已被新的修改取代"),
}
# Who takes which action: the owning organisation's members withdraw; reviewers decide.
MEMBER_ACTIONS = {"withdraw"}
REVIEWER_ACTIONS = {"approve", "reject"}
