"""The qualification state machine and the lists of choices (no app imports: used by pure rules)."""
from flask_babel import lazy_gettext as _l

from ..core.statemachine import StateMachine

# What an organisation can be verified as. in_province is the business licence itself (its number is
# the USCC); sme and high_tech are certificates with their own numbers and validity.
KINDS = {
    "in_province": _l("省内注册单位"),
    "sme": _l("科技型中小企业"),
    "high_tech": _l("高新技术企业"),
    # A state-owned enterprise: its technology is state-owned, so a negotiated price is publicly noticed.
    # Proven by its state-owned property-rights registration (国有资产产权登记), never by a box on a listing.
    "state_owned": _l("国有企业"),
}
# Kinds valid as long as the business licence (no dates of their own).
OPEN_ENDED_KINDS = ("in_province", "state_owned")
NUMBER_LABELS = {
    "in_province": _l("统一社会信用代码"),
    "sme": _l("入库登记编号"),
    "high_tech": _l("高新技术企业证书编号"),
    "state_owned": _l("国有资产产权登记证编号"),
}

STATUSES = {
    "claimed": _l("待审核"),
    "verified": _l("已核验"),
    "rejected": _l("未通过"),
    "withdrawn": _l("已撤回"),
    "revoked": _l("已撤销"),
}

QUALIFICATION = StateMachine("qualification", {
    "claimed": {"verified", "rejected", "withdrawn"},
    "verified": {"revoked"},
    "rejected": set(),
    "withdrawn": set(),
    "revoked": set(),
}, actions={"verify": "verified", "reject": "rejected", "withdraw": "withdrawn", "revoke": "revoked"})

# Who takes which action: the organisation's members withdraw their own claim; reviewers decide.
MEMBER_ACTIONS = {"withdraw"}
REVIEWER_ACTIONS = {"verify", "reject", "revoke"}
# Actions that need a reason (told to the organisation).
REASON_REQUIRED = {"reject", "revoke"}
