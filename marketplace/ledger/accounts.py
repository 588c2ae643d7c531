"""The chart of accounts and the kinds of entry (names shown to people through Flask-Babel).

Balances are debit − credit; credit-normal accounts show negative. The database accepts only the
accounts and kinds listed here (CHECK constraints): a domain that needs a new one adds it here and
in its migration.
"""
from flask_babel import lazy_gettext as _l

ACCOUNTS = {
    "programme_fund": _l("财政拨款（补贴资金）"),
    "budget": _l("可用预算"),
    "subsidy_reserved": _l("已预留补贴"),
    "user_subsidy_payable": _l("应付用户补贴"),
    "provider_subsidy_payable": _l("应付管理单位补贴"),
    "subsidy_receivable": _l("应收补贴资金"),
    "user_receivable": _l("应收用户款"),
    "provider_payable": _l("应付管理单位服务费"),
    "gateway_clearing": _l("支付网关清算"),
    "bank": _l("银行存款（对外付款）"),
    # technology trading (trading/accounting.py)
    "deal_seller_payable": _l("应付技术交易卖方款"),
    "broker_commission_payable": _l("应付经纪佣金"),
    "deal_escrow": _l("技术交易监管资金"),
    # provider subsidy reversed after it was paid out: owed back by the unit, offset at its next payout
    "provider_receivable": _l("应收管理单位退回补贴"),
    # online bidding (auctions/accounting.py)
    "auction_deposit_held": _l("竞价保证金（代管）"),
    "forfeited_deposit_payable": _l("应付卖方没收保证金"),
}
ENTRY_KINDS = {
    "funding": _l("预算拨付"),
    "reservation": _l("补贴预留"),
    "release": _l("补贴释放"),
    "subsidy_commitment": _l("补贴确认"),
    "provider_income": _l("服务收入"),
    "payment": _l("用户付款"),
    "refund": _l("退款"),
    "settlement": _l("期间结算"),
    "payout": _l("支付给管理单位"),
    "reversal": _l("冲销"),
    "deal_payment": _l("技术交易付款"),
    "deal_release": _l("技术交易监管资金放款"),
    "deal_refund": _l("技术交易监管资金退还"),
    "deposit_received": _l("收到竞价保证金"),
    "deposit_refund": _l("退还竞价保证金"),
    "deposit_applied": _l("保证金抵作价款"),
    "deposit_forfeit": _l("没收竞价保证金"),
}


def account_name(account: str) -> str:
    """The account's name in the interface language (the code itself when unknown)."""
    name = ACCOUNTS.get(account)
    return str(name) if name is not None else account


def entry_kind_name(kind: str) -> str:
    name = ENTRY_KINDS.get(kind)
    return str(name) if name is not None else kind
