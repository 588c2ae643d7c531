"""Paying a deposit by card: the auction-deposit purpose of the one payment engine, and the gateway
refund of a losing bidder's card deposit.

Checkout, the gateway's answers (card, webhook, `flask payments reconcile`) and their audit are
`payments.services`'; this module says who pays a deposit (a member of the registered organisation),
what is owed (the deposit, while the registration waits for it) and what a paid deposit does: it is
received exactly as a bank transfer is (`registrations.accept_deposit`: the same ledger entry with the
gateway's clearing account in place of the bank, and the bidder confirmed when AUCTIONS_AUTO_CONFIRM).
Above the gateway's ceiling a deposit is paid by transfer only, quoting its remittance code. A loser's
card deposit goes back through the gateway's refund (a job after the close commits; finance may retry).
"""
import logging

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core.errors import Conflict, Forbidden, Invalid
from ...core.money import format_fen
from ...core.permissions import require_login
from ...core.timeutil import utcnow
from ...extensions import db
from ...payments import services as payments
from ...payments.models import Payment
from ...payments.rules import CARD_CEILING, within_card_ceiling
from .. import accounting
from ..models import AuctionRegistration
from ..states import REGISTRATION
from .listing import phase
from .registrations import accept_deposit

log = logging.getLogger("marketplace.auctions")

__all__ = ["DepositPurpose", "card_payment_of", "deposit_card_refusal", "pay_deposit_with_payment_method",
           "refund_card_deposit", "start_deposit_payment"]


def _require_bidder(reg: AuctionRegistration, *, actor):
    require_login(actor)
    if not actor.is_member_of(reg.org_id):
        raise Forbidden(_("只有报名单位可以交纳保证金"))


def deposit_card_refusal(reg: AuctionRegistration) -> str | None:
    """Why this deposit may not be paid by card now (None: it may)."""
    if reg.status != "pending":
        return _("保证金已交纳")
    if phase(reg.auction) not in ("registration", "bidding"):
        return _("竞价已结束，不能再交纳保证金")
    if not within_card_ceiling(reg.deposit):
        return _("保证金 %(amount)s 超过银行卡单笔上限 %(ceiling)s，请使用对公转账（附言填写汇款识别码 %(code)s）",
                 amount=format_fen(reg.deposit), ceiling=format_fen(CARD_CEILING), code=reg.remittance_code)
    return None


def start_deposit_payment(reg: AuctionRegistration, *, actor) -> Payment | None:
    """Create (or reuse) the deposit's PaymentIntent. Raises Unavailable when the gateway is down."""
    _require_bidder(reg, actor=actor)
    _reg, payment = payments.start_payment(reg, actor=actor)
    return payment


def pay_deposit_with_payment_method(reg: AuctionRegistration, *, actor, payment_method) -> Payment | None:
    """Confirm the deposit with the card the gateway's script made in the bidder's browser."""
    _require_bidder(reg, actor=actor)
    return payments.pay_with_payment_method(reg, actor=actor, payment_method=payment_method)


def card_payment_of(reg: AuctionRegistration) -> Payment | None:
    """The card payment that paid the deposit (succeeded or refunded), if it was paid by card."""
    return db.session.scalar(sa.select(Payment).where(Payment.purpose == DepositPurpose.name,
                                                      Payment.auction_registration_id == reg.id,
                                                      Payment.status.in_(("succeeded", "refunded")))
                             .order_by(Payment.id.desc()).limit(1))


def refund_card_deposit(registration_id: int) -> None:
    """Job after the close commits: a losing bidder's card deposit goes back through the gateway refund
    (the payment's purpose moves the registration to refunded and posts the ledger entry)."""
    reg = db.session.get(AuctionRegistration, registration_id)
    if reg is None or reg.status != "refunding" or reg.deposit_via != "card":
        return
    payment = card_payment_of(reg)
    if payment is None or payment.status != "succeeded":
        log.error("registration %s: card deposit to refund but no succeeded payment", reg.id)
        return
    payments.refund_payment(payment, actor=None, system=True)


class DepositPurpose:
    """An auction bidder's deposit (registered by auctions' init_app)."""

    name = "auction_deposit"
    model = AuctionRegistration
    refundable = True  # a loser's deposit goes back to the card it came from

    def require_payer(self, reg, *, actor):
        _require_bidder(reg, actor=actor)

    def lock(self, reg):
        return db.session.execute(sa.select(AuctionRegistration).where(AuctionRegistration.id == reg.id)
                                  .with_for_update(of=AuctionRegistration)
                                  .execution_options(populate_existing=True)).scalar_one()

    def check_payable(self, reg):
        if reg.status != "pending":
            raise Conflict(_("保证金已交纳"))
        refusal = deposit_card_refusal(reg)
        if refusal:
            raise Invalid(refusal, {"payment_method": [refusal]})

    def amount_due(self, reg) -> int:
        return reg.deposit

    def settle_without_payment(self, reg, *, actor):
        """A deposit of 0 is received when registering: nothing is left to pay."""
        raise Conflict(_("保证金已交纳"))

    def key_prefix(self, reg) -> str:
        return f"deposit-{reg.auction_id}-{reg.id}"

    def metadata(self, reg) -> dict:
        return {"auction_id": reg.auction_id, "registration_id": reg.id, "remittance_code": reg.remittance_code}

    def unavailable_message(self) -> str:
        return _("支付网关暂时无法连接，保证金仍待交纳，可改用对公转账")

    def refund_refusal(self, payment) -> str | None:
        """Only a losing bidder's deposit due back is refunded (a bidder's, a winner's stays held)."""
        reg = db.session.get(AuctionRegistration, payment.auction_registration_id)
        if reg.status != "refunding":
            return _("只有未竞得人待退还的保证金可以退款")
        return None

    def succeeded(self, payment, *, actor):
        """The card payment arrived: the deposit is received as a bank transfer's is."""
        reg = db.session.execute(sa.select(AuctionRegistration)
                                 .where(AuctionRegistration.id == payment.auction_registration_id)
                                 .execution_options(populate_existing=True)).scalar_one()
        if reg.status != "pending" or payment.amount != reg.deposit:
            log.error("payment %s succeeded but registration %s is %s", payment.id, reg.id, reg.status)
            raise Conflict(_("保证金已通过其他方式交纳，请联系平台退款"))
        accept_deposit(reg, via="card", reference=payment.payment_intent_id or f"payment-{payment.id}", actor=actor,
                  now=payment.succeeded_at or utcnow())

    def refunded(self, payment, *, actor):
        """The gateway returned a loser's deposit to the card: refunded, and the ledger shows it."""
        reg = db.session.get(AuctionRegistration, payment.auction_registration_id)
        ref = payment.refund_id or f"refund-{payment.id}"
        REGISTRATION.apply(reg, "refunded", actor=actor, action="refund", refund_reference=ref[:100],
                           settled_at=utcnow())
        accounting.post_refunded(reg, ref, via="card", actor=actor)
