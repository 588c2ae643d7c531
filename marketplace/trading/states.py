"""Trading states and the transition tables (no app imports: used by pure rules and schemas)."""
from ..core.statemachine import StateMachine

DEMAND_STATUSES = {
    "draft": ("草稿", "Draft"),
    "pending_review": ("待审核", "Pending review"),
    "published": ("已发布", "Published"),
    "rejected": ("已退回", "Rejected"),
    "offline": ("已下线", "Offline"),
    "expired": ("已过期", "Expired"),
    "archived": ("已归档", "Archived"),
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
    "negotiating": ("洽谈中", "Negotiating"),
    "agreed": ("已议定", "Agreed"),
    "public_notice": ("公示中", "In public notice"),
    "objected": ("异议处理中", "Objection pending"),
    "signed": ("已签约", "Signed"),
    "paid": ("已付清", "Paid"),
    "completed": ("已完成", "Completed"),
    "cancelled": ("已取消", "Cancelled"),
}

DEAL = StateMachine("deal", {
    "negotiating": {"negotiating", "agreed", "public_notice", "cancelled"},
    "agreed": {"signed", "cancelled"},
    "public_notice": {"objected", "agreed", "signed", "cancelled"},
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
    "transfer": ("转让", "Transfer"),
    "licence": ("许可", "Licence"),
    "equity": ("作价入股", "Equity"),
    "co_development": ("合作开发", "Co-development"),
}
LISTING_MODES = {"negotiated": ("协议转让", "Negotiated"), "fixed": ("挂牌", "Fixed price")}
CONTRACT_TYPES = {
    "development": ("技术开发", "Technology development"),
    "transfer": ("技术转让", "Technology transfer"),
    "licence": ("技术许可", "Technology licence"),
    "consulting": ("技术咨询", "Technology consulting"),
    "service": ("技术服务", "Technology service"),
}
CANCEL_REASONS = {
    "price": ("价格未达成一致", "Price"),
    "terms": ("条款未达成一致", "Terms"),
    "withdrawn": ("一方撤回", "Withdrawn"),
    "objection_upheld": ("异议成立", "Objection upheld"),
    "other": ("其他", "Other"),
}
SIDES = ("buyer", "seller")
OBJECTION_STATUSES = ("open", "upheld", "dismissed")
INSTALMENT_STATUSES = ("due", "paid")
