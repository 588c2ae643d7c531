"""Paying a signed deal's instalments: the deal-instalment purpose of the one payment engine.

Checkout, the gateway's answers (card, webhook, `flask payments reconcile`), status moves and their
audit are `payments.services`'; this module says what is owed, who pays, and what a paid
instalment does: it is marked paid, the ledger entry is posted (accounting.post_instalment_paid)
and the deal is paid once every instalment is. One open attempt and one success per instalment
are enforced by the database (payments' partial unique indexes) and the instalment row is locked
while an attempt is chosen: twenty concurrent pays of one instalment make one charge.
"""
import logging

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core import audit
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.money import format_fen
from ...core.permissions import require_login
from ...core.timeutil import utcnow
from ...extensions import db
from ...payments import services as payments
from ...payments.models import Payment
from ...payments.rules import CARD_CEILING, within_card_ceiling
from ..accounting import post_instalment_paid
from ..models import Deal, DealInstalment
from ..states import DEAL, INSTALMENT
from .deals import sides

log = logging.getLogger("marketplace.trading")


def get_instalment(deal: Deal, seq) -> DealInstalment:
    inst = next((i for i in deal.instalments if i.seq == seq), None) if isinstance(seq, int) else None
    if inst is None:
        raise NotFound(_("该分期不存在"))
    return inst


def payments_of(deal: Deal) -> list[Payment]:
    """Every payment attempt of the deal's instalments, oldest first."""
    ids = [i.id for i in deal.instalments]
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Payment).where(Payment.purpose == DealInstalmentPurpose.name,
                                                            Payment.instalment_id.in_(ids))
                                   .order_by(Payment.id)))


def require_buyer(deal: Deal, *, actor):
    """Only the buyer organisation's members pay (a broker who is not one of them may not)."""
    require_login(actor)
    if "buyer" not in sides(deal, actor=actor) or (deal.broker_user_id == actor.id and not actor.is_member_of(
            deal.buyer_org_id)):
        raise Forbidden(_("只有买方单位可以付款"))


def start_instalment_payment(deal: Deal, seq: int, *, actor) -> Payment:
    """Create (or reuse) the instalment's PaymentIntent. Raises Unavailable when the gateway is down."""
    require_buyer(deal, actor=actor)
    _inst, payment = payments.start_payment(get_instalment(deal, seq), actor=actor)
    return payment


def pay_instalment_with_card(deal: Deal, seq: int, *, actor, number: str, exp_month: int, exp_year: int,
                             cvc: str) -> Payment:
    """Confirm an instalment's payment with a card (the bookings' checks: an expired card too)."""
    require_buyer(deal, actor=actor)
    return payments.pay_with_card(get_instalment(deal, seq), actor=actor, number=number, exp_month=exp_month,
                                  exp_year=exp_year, cvc=cvc)


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
        if inst.status == "paid":
            raise Conflict(_("该期已付款"))
        if not within_card_ceiling(inst.amount):
            message = _("该期金额 %(amount)s 超过银行卡单笔上限 %(ceiling)s，请以对公转账付款",
                        amount=format_fen(inst.amount), ceiling=format_fen(CARD_CEILING))
            raise Invalid(message, {"number": [message]})

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
        """The instalment is paid, the ledger entry posted, and the deal paid with its last instalment."""
        now = payment.succeeded_at or utcnow()
        inst = db.session.execute(sa.select(DealInstalment).where(DealInstalment.id == payment.instalment_id)
                                  .execution_options(populate_existing=True)).scalar_one()
        if inst.status == "paid":
            log.error("payment %s succeeded but instalment %s was already paid", payment.id, inst.id)
            raise Conflict(_("该期已付款"))
        INSTALMENT.apply(inst, "paid", actor=actor, action="pay", comment=f"#{inst.seq}", paid_at=now)
        deal = db.session.execute(sa.select(Deal).where(Deal.id == inst.deal_id)
                                  .execution_options(populate_existing=True)).scalar_one()
        post_instalment_paid(deal, inst, payment, actor=actor)
        audit.record("deal", deal.id, "pay", actor=actor, comment=f"#{inst.seq} {inst.amount}")
        db.session.flush()
        db.session.expire(deal, ["instalments"])
        if all(i.status == "paid" for i in deal.instalments):
            deal.paid_at = now
            DEAL.apply(deal, "paid", actor=actor, action="pay")
        db.session.flush()
