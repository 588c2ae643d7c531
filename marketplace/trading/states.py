"""Trading states and the transition tables (no app imports: used by pure rules and schemas).

Labels are Chinese marked for the catalog (`core.i18n.N_`); `core.i18n.tr` shows them in the interface language.
"""
from ..core.i18n import N_, NC_
from ..core.statemachine import StateMachine

DEMAND_STATUSES = {
    "draft": N_("草稿"),
    "pending_review": N_("待审核"),
    "published": N_("已发布"),
    "rejected": NC_("review status", "已退回"),
    "offline": N_("已下线"),
    "expired": N_("已过期"),
    "archived": N_("已归档"),
}

DEMAND = StateMachine("demand", {
    "draft": {"pending_review", "archived"},
    "pending_review": {"published", "rejected"},
    "rejected": {"pending_review", "archived"},
    "published": {"offline", "expired", "archived"},
    "offline": {"pending_review", "archived"},
    "expired": {"archived"},
    "archived": set(),
}, actions={"submit": "pending_review", "publish": "published", "reject": "rejected",
            "offline": "offline", "archive": "archived"})

DEAL_STATUSES = {
    "negotiating": N_("洽谈中"),
    "agreed": N_("已议定"),
    "public_notice": N_("公示中"),
    "objected": N_("异议处理中"),
    "signed": N_("已签约"),
    "paid": N_("已付清"),
    "completed": N_("已完成"),
    "cancelled": N_("已取消"),
}

DEAL = StateMachine("deal", {
    "negotiating": {"negotiating", "agreed", "public_notice", "cancelled"},
    "agreed": {"signed", "negotiating", "cancelled"},   # negotiating: a party changed the price
    "public_notice": {"objected", "agreed", "signed", "negotiating", "cancelled"},
    "objected": {"public_notice", "cancelled"},
    "signed": {"paid", "cancelled"},
    "paid": {"completed"},
    "completed": set(),
    "cancelled": set(),
}, actions={"offer": "negotiating", "accept": "agreed", "object": "objected",
            "resolve-objection": "public_notice", "sign": "signed", "pay": "paid",
            "complete": "completed", "cancel": "cancelled"})

# Deals in these states hold an open negotiation or contract.
OPEN_DEAL_STATUSES = ("negotiating", "agreed", "public_notice", "objected", "signed", "paid")

MODES = {
    "transfer": N_("转让"),
    "licence": N_("许可"),
    "equity": N_("作价入股"),
    "co_development": N_("合作开发"),
}
LISTING_MODES = {"negotiated": N_("协议转让"), "fixed": N_("挂牌")}
CONTRACT_TYPES = {
    "development": N_("技术开发"),
    "transfer": N_("技术转让"),
    "licence": N_("技术许可"),
    "consulting": N_("技术咨询"),
    "service": N_("技术服务"),
}
CANCEL_REASONS = {
    "price": N_("价格未达成一致"),
    "terms": N_("条款未达成一致"),
    "withdrawn": N_("一方撤回"),
    "objection_upheld": N_("异议成立"),
    "auction_forfeited": N_("竞得人未按期签约（网络竞价）"),
    "other": N_("其他"),
}
# Set by the platform, never chosen by a person cancelling.
SYSTEM_CANCEL_REASONS = ("objection_upheld", "auction_forfeited")
SIDES = ("buyer", "seller")
OBJECTION_STATUSES = ("open", "upheld", "dismissed")
# Deal money under supervision (资金监管): an instalment is due, then held in the supervised account once its
# money arrived (bank transfer matched by its remittance code, or card up to the gateway's ceiling), then
# released to the seller and the broker firm when the buyer confirms the milestone, or refunded to the buyer.
INSTALMENT_LABELS = {
    "due": N_("待付款"),
    "held": N_("资金监管中"),
    "released": N_("已放款"),
    "refunded": N_("已退还"),
}
INSTALMENT_STATUSES = tuple(INSTALMENT_LABELS)
RECEIVED_STATUSES = ("held", "released", "refunded")

# An objection to a noticed deal is decided once, by a reviewer; an instalment is received once (by the payment
# engine's success or a matched bank transfer, then released or refunded once). Both move through one conditional UPDATE like every status.
OBJECTION = StateMachine("deal_objection", {"open": {"upheld", "dismissed"}, "upheld": set(), "dismissed": set()},
                         actions={"uphold": "upheld", "dismiss": "dismissed"})
INSTALMENT = StateMachine("deal_instalment", {
    "due": {"held"},
    "held": {"released", "refunded"},
    "released": set(),
    "refunded": set(),
}, actions={"receive": "held", "confirm": "released", "refund": "refunded"})
assert OBJECTION.states == OBJECTION_STATUSES and INSTALMENT.states == INSTALMENT_STATUSES
