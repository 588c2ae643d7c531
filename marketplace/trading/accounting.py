"""The deal money in the double-entry ledger: supervised (资金监管) from arrival to release.

    received (held)   Dr bank | gateway_clearing    amount          (buyer organisation)
                      Cr deal_escrow                amount          (buyer organisation)
    released          Dr deal_escrow                amount          (buyer organisation)
                      Cr deal_seller_payable        amount − fee    (seller organisation)
                      Cr broker_commission_payable  fee             (the broker firm's commission at its rate)
    refunded          Dr deal_escrow                amount          (buyer organisation)
                      Cr bank                       amount          (paid back to the buyer by transfer)

Each entry is linked to its deal and instalment (and the card payment that brought the money, if
any: DealLedgerEntry), so every fen of a deal can be traced from the journal back to the transfer or
card payment and forward to who is owed it.
"""
import sqlalchemy as sa

from ..extensions import db
from . import rules
from .models import DealLedgerEntry


def _link(entry, deal, instalment, payment=None):
    db.session.add(DealLedgerEntry(entry_id=entry.id, deal_id=deal.id, instalment_id=instalment.id,
                                   payment_id=getattr(payment, "id", None)))
    db.session.flush()
    return entry


def post_instalment_received(deal, instalment, *, via: str, reference: str, payment=None, actor=None):
    """The instalment's money arrived in the supervised account (bank transfer or card)."""
    from .. import ledger
    from ..ledger import Cr, Dr
    account = "bank" if via == "transfer" else "gateway_clearing"
    entry = ledger.post_entry(
        "deal_payment",
        [Dr(account, instalment.amount, deal.buyer_org_id), Cr("deal_escrow", instalment.amount, deal.buyer_org_id)],
        memo=f"交易 #{deal.id} 第 {instalment.seq} 期 {instalment.remittance_code} {reference}"[:300], actor=actor)
    return _link(entry, deal, instalment, payment)


def post_instalment_released(deal, instalment, *, actor=None):
    """The buyer confirmed the milestone: the held money is owed to the seller and the broker firm."""
    from .. import ledger
    from ..ledger import Cr, Dr
    to_seller, fee = rules.split_payment(instalment.amount, deal.commission_bp)
    entry = ledger.post_entry(
        "deal_release",
        [Dr("deal_escrow", instalment.amount, deal.buyer_org_id),
         Cr("deal_seller_payable", to_seller, deal.seller_org_id),
         Cr("broker_commission_payable", fee, getattr(deal.broker_firm, "org_id", None))],
        memo=f"交易 #{deal.id} 第 {instalment.seq} 期 放款", actor=actor)
    return _link(entry, deal, instalment)


def post_instalment_refunded(deal, instalment, *, actor=None):
    """The held money goes back to the buyer by bank transfer."""
    from .. import ledger
    from ..ledger import Cr, Dr
    entry = ledger.post_entry(
        "deal_refund",
        [Dr("deal_escrow", instalment.amount, deal.buyer_org_id), Cr("bank", instalment.amount, deal.buyer_org_id)],
        memo=f"交易 #{deal.id} 第 {instalment.seq} 期 退还买方", actor=actor)
    return _link(entry, deal, instalment)


def deal_entries(deal) -> list:
    """The journal entries of a deal with their lines, oldest first."""
    from ..ledger.models import JournalEntry
    return list(db.session.scalars(
        sa.select(JournalEntry).join(DealLedgerEntry, DealLedgerEntry.entry_id == JournalEntry.id)
        .where(DealLedgerEntry.deal_id == deal.id).order_by(JournalEntry.id)))


def deal_money(deal) -> dict:
    """From the journal (fen): paid by the buyer, held in the supervised account, owed to the seller
    and to the broker firm, refunded to the buyer."""
    totals = {"paid": 0, "held": 0, "seller": 0, "commission": 0, "refunded": 0}
    for entry in deal_entries(deal):
        for line in entry.lines:
            if line.account == "deal_escrow":
                totals["held"] += line.credit - line.debit
                totals["paid"] += line.credit
            elif line.account == "deal_seller_payable":
                totals["seller"] += line.credit - line.debit
            elif line.account == "broker_commission_payable":
                totals["commission"] += line.credit - line.debit
            elif line.account == "bank" and entry.kind == "deal_refund":
                totals["refunded"] += line.credit
    return totals
