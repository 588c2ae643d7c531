"""Bill and bank-line states and their machines (no app imports: used by models, schemas and pages)."""
from ..core.i18n import N_
from ..core.statemachine import StateMachine

BILL_STATUSES = {
    "open": N_("待付款"),
    "paid": N_("已付清"),
    "overdue": N_("已逾期"),
    "cancelled": N_("已作废"),
}

# open -> paid | overdue (-> paid) | cancelled: an overdue bill is still paid by the same remittance code.
BILL = StateMachine("bill", {
    "open": {"paid", "overdue", "cancelled"},
    "overdue": {"paid", "cancelled"},
    "paid": set(),
    "cancelled": set(),
}, actions={"pay": "paid", "mark-overdue": "overdue", "cancel": "cancelled"})

BANK_LINE_STATUSES = {
    "matched": N_("已自动核销"),
    "unmatched": N_("待处理"),
    "assigned": N_("已人工核销"),
    "returned": N_("已退回"),
}
# Why a line waits in the queue (shown to finance).
QUEUE_REASONS = {
    "unknown_code": N_("附言中没有可识别的汇款识别码"),
    "no_bill": N_("汇款识别码不对应任何待付对账单"),
    "short": N_("金额少于应付金额"),
    "excess": N_("金额多于应付金额"),
    "already_paid": N_("对账单已付清"),
    "duplicate": N_("交易流水号重复"),
}

BANK_LINE = StateMachine("bank_line", {
    "matched": set(),
    "unmatched": {"assigned", "returned"},
    "assigned": set(),
    "returned": set(),
}, actions={"assign": "assigned", "return": "returned"})

INVOICE_KINDS = {"normal": N_("增值税普通发票"), "special": N_("增值税专用发票")}
INVOICE_STATUSES = {
    "requested": N_("待开具"),
    "issued": N_("已开具"),
    "reversed": N_("已红冲"),
}
# requested -> issued (finance records the invoice) -> reversed (a red-letter 红字 invoice after a refund)
INVOICE = StateMachine("invoice", {
    "requested": {"issued"},
    "issued": {"reversed"},
    "reversed": set(),
}, actions={"issue": "issued", "reverse": "reversed"})
