"""Paying a signed deal's instalments by card: the deal-instalment purpose of the one payment engine.

Checkout, the gateway's answers (card, webhook, `flask payments reconcile`), status moves and their
audit are `payments.services`'; this module says what is owed, who pays, and what a paid
instalment does: its money is held in the supervised account like a bank transfer's
(`supervision.receive_instalment`). Instalments above the gateway's ceiling are paid by transfer only. One open attempt and one success per instalment
are enforced by the database (payments' partial unique indexes) and the instalment row is locked
while an attempt is chosen: twenty concurrent pays of one instalment make one charge.
"""
import logging

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core.errors import Conflict, Invalid
from ...core.money import format_fen
from ...extensions import db
from ...payments import services as payments
from ...payments.models import Payment
from ...payments.rules import CARD_CEILING, within_card_ceiling
from ..models import Deal, DealInstalment
from .supervision import get_instalment, receive_instalment, require_buyer

log = logging.getLogger("marketplace.trading")


def payments_of(deal: Deal) -> list[Payment]:
    """Every payment attempt of the deal's instalments, oldest first."""
    ids = [i.id for i in deal.instalments]
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Payment).where(Payment.purpose == DealInstalmentPurpose.name,
                                                            Payment.instalment_id.in_(ids))
                                   .order_by(Payment.id)))


def start_instalment_payment(deal: Deal, seq: int, *, actor) -> Payment:
    """Create (or reuse) the instalment's PaymentIntent. Raises Unavailable when the gateway is down."""
    require_buyer(deal, actor=actor)
    _inst, payment = payments.start_payment(get_instalment(deal, seq), actor=actor)
    return payment


def pay_instalment_with_payment_method(deal: Deal, seq: int, *, actor, payment_method) -> Payment | None:
    """Confirm an instalment's payment with the card the gateway's script made in the buyer's browser."""
    require_buyer(deal, actor=actor)
    return payments.pay_with_payment_method(get_instalment(deal, seq), actor=actor, payment_method=payment_method)


def card_refusal(inst: DealInstalment) -> str | None:
    """Why this instalment may not be paid by card (None: it may): above the gateway's ceiling it is
    transferred to the supervised account with its remittance code."""
    if inst.status != "due":
        return _("该期已付款")
    if not within_card_ceiling(inst.amount):
        return _("该期金额 %(amount)s 超过银行卡单笔上限 %(ceiling)s，请以对公转账付款（附言填写汇款识别码 %(code)s）",
                 amount=format_fen(inst.amount), ceiling=format_fen(CARD_CEILING), code=inst.remittance_code)
    return None


class DealInstalmentPurpose:
    """One instalment of a signed deal, paid by the buyer (registered by trading's init_app)."""

    name = "deal_instalment"
    model = DealInstalment
    refundable = False  # the money is split between seller and broker in the ledger: refunds are off-line

    def require_payer(self, inst, *, actor):
        require_buyer(inst.deal, actor=actor)

    def lock(self, inst):
        return db.session.execute(sa.select(DealInstalment).where(DealInstalment.id == inst.id).with_for_update(of=DealInstalment)
                                  .execution_options(populate_existing=True)).scalar_one()

    def check_payable(self, inst):
        if inst.deal.status != "signed":
            raise Conflict(_("只有已签约的交易可以付款"))
        if inst.status != "due":
            raise Conflict(_("该期已付款"))
        message = card_refusal(inst)
        if message:
            raise Invalid(message, {"payment_method": [message]})

    def amount_due(self, inst) -> int:
        return inst.amount

    def settle_without_payment(self, inst, *, actor):
        """An instalment always owes its amount (positive by its CHECK): nothing settles without paying."""
        raise Conflict(_("该期已付款"))

    def key_prefix(self, inst) -> str:
        return f"deal-{inst.deal_id}-{inst.seq}"

    def metadata(self, inst) -> dict:
        return {"deal_id": inst.deal_id, "instalment": inst.seq}

    def unavailable_message(self) -> str:
        return _("支付网关暂时无法连接，分期仍待支付，请稍后再试")

    def succeeded(self, payment, *, actor):
        """The card payment arrived: the instalment's money is held in the supervised account."""
        inst = db.session.execute(sa.select(DealInstalment).where(DealInstalment.id == payment.instalment_id)
                                  .execution_options(populate_existing=True)).scalar_one()
        if inst.status != "due":
            log.error("payment %s succeeded but instalment %s was already received", payment.id, inst.id)
            raise Conflict(_("该期已付款"))
        receive_instalment(inst, via="card", reference=payment.payment_intent_id or f"payment-{payment.id}",
                           actor=actor, payment=payment)
