"""Auction states and transitions (no app imports: used by pure rules and schemas).

An auction's stored status is its review and outcome; while it is `scheduled` the public phase
(registration, bidding, ended) follows from the clock (rules.phase).
"""
from ..core.i18n import N_, NC_
from ..core.statemachine import StateMachine

AUCTION_STATUSES = {
    "pending_review": N_("待审核"),
    "rejected": NC_("review status", "已退回"),
    "scheduled": N_("竞价公告中"),
    "awarded": N_("已成交"),
    "failed": N_("流拍"),
}
AUCTION = StateMachine("auction", {
    "pending_review": {"scheduled", "rejected"},
    "rejected": {"pending_review"},
    "scheduled": {"awarded", "failed"},
    "awarded": set(),
    "failed": set(),
}, actions={"approve": "scheduled", "reject": "rejected", "resubmit": "pending_review",
            "award": "awarded", "fail": "failed"})

# What the public sees (CONTRACT: GET /auctions/ID status).
PHASES = {
    "pending_review": N_("待审核"),
    "rejected": NC_("review status", "已退回"),
    "registration": N_("报名中"),
    "bidding": N_("竞价中"),
    "ended": N_("竞价结束"),
    "awarded": N_("已成交"),
    "failed": N_("流拍"),
}

REGISTRATION_STATUSES = {
    "pending": N_("待交保证金"),
    "paid": N_("保证金已到账，待确认"),
    "confirmed": N_("已确认竞买资格"),
    "won": N_("竞得，待签约"),
    "refunding": N_("保证金退还中"),
    "refunded": N_("保证金已退还"),
    "applied": N_("保证金已抵作价款"),
    "forfeited": N_("保证金已没收"),
    "lapsed": N_("未交保证金，已失效"),
}
REGISTRATION = StateMachine("auction_registration", {
    "pending": {"paid", "confirmed", "lapsed"},
    "paid": {"confirmed", "refunding"},
    "confirmed": {"won", "refunding"},
    "won": {"applied", "forfeited"},
    "refunding": {"refunded"},
    "refunded": set(),
    "applied": set(),
    "forfeited": set(),
    "lapsed": set(),
}, actions={"deposit": "paid", "confirm": "confirmed", "win": "won", "release": "refunding",
            "refund": "refunded", "apply": "applied", "forfeit": "forfeited", "lapse": "lapsed"})

FALLBACK_MODES = {"fixed": N_("挂牌（按挂牌价成交）"), "negotiated": N_("协议转让")}
