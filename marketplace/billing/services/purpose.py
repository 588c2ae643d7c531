"""The bill purpose of the one payment engine: a monthly bill paid by card, up to the card ceiling.

Checkout, the gateway's answers (card, webhook, reconcile) and their audit are `payments.services`';
this says who pays a bill, what is owed, and that a paid bill settles its bookings
(`bills.settle_bill`, the same settlement a bank transfer makes).
"""
import logging

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core.errors import Conflict, Forbidden, Invalid
from ...core.money import format_fen
from ...core.permissions import require_login
from ...extensions import db
from ...payments.rules import CARD_CEILING, within_card_ceiling
from ..models import Bill
from .bills import settle_bill

log = logging.getLogger("marketplace.billing")


def require_payer(bill: Bill, *, actor):
    require_login(actor)
    if not actor.is_member_of(bill.org_id):
        raise Forbidden(_("只有对账单所属单位可以付款"))


def card_refusal(bill: Bill) -> str | None:
    """Why this bill may not be paid by card (None: it may)."""
    if not within_card_ceiling(bill.total - bill.paid_amount):
        return _("金额 %(amount)s 超过银行卡单笔上限 %(ceiling)s，请使用对公转账（附言填写汇款识别码 %(code)s）",
                 amount=format_fen(bill.total - bill.paid_amount), ceiling=format_fen(CARD_CEILING),
                 code=bill.remittance_code)
    return None


class BillPurpose:
    name = "bill"
    model = Bill
    refundable = False  # a bill's bookings are refunded one by one by finance, off-line, never the whole bill

    def require_payer(self, bill, *, actor):
        require_payer(bill, actor=actor)

    def lock(self, bill):
        return db.session.execute(sa.select(Bill).where(Bill.id == bill.id).with_for_update(of=Bill)
                                  .execution_options(populate_existing=True)).scalar_one()

    def check_payable(self, bill):
        if bill.status == "paid":
            raise Conflict(_("该对账单已付清"))
        if bill.status not in ("open", "overdue"):
            raise Conflict(_("该对账单已作废，不能付款"))
        refusal = card_refusal(bill)
        if refusal:
            raise Invalid(refusal, {"payment_method": [refusal]})

    def amount_due(self, bill) -> int:
        return bill.total - bill.paid_amount

    def settle_without_payment(self, bill, *, actor):
        settle_bill(bill, via="none", reference=f"bill-{bill.id}", actor=actor)

    def key_prefix(self, bill) -> str:
        return f"bill-{bill.id}"

    def metadata(self, bill) -> dict:
        return {"bill_id": bill.id, "period": bill.period, "remittance_code": bill.remittance_code}

    def unavailable_message(self) -> str:
        return _("支付网关暂时无法连接，对账单仍待付款，可改用对公转账")

    def succeeded(self, payment, *, actor):
        bill = db.session.execute(sa.select(Bill).where(Bill.id == payment.bill_id)
                                  .execution_options(populate_existing=True)).scalar_one()
        if bill.status not in ("open", "overdue") or payment.amount != bill.total - bill.paid_amount:
            # Paid by transfer meanwhile: the card money is kept traceable for finance to return.
            log.error("payment %s succeeded but bill %s is %s", payment.id, bill.id, bill.status)
            raise Conflict(_("对账单已通过其他方式付清，请联系平台退款"))
        settle_bill(bill, via="card", reference=payment.payment_intent_id or f"payment-{payment.id}",
                    actor=actor, payment_id=payment.id)
