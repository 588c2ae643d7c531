"""The deal money in the double-entry ledger: a buyer's instalment payment is one balanced entry.

    Dr gateway_clearing           amount          (buyer organisation)
    Cr deal_seller_payable        amount − fee    (seller organisation)
    Cr broker_commission_payable  fee             (the broker firm's commission at its rate)

The entry is linked to its deal, instalment and payment (DealLedgerEntry), so every fen of a deal
can be traced from the journal back to the card payment and forward to who is owed it.
"""
import sqlalchemy as sa

from ..extensions import db
from . import rules
from .models import DealLedgerEntry


def post_instalment_paid(deal, instalment, payment, *, actor=None):
    from .. import ledger
    from ..ledger import Cr, Dr
    to_seller, fee = rules.split_payment(payment.amount, deal.commission_bp)
    entry = ledger.post_entry(
        "deal_payment",
        [Dr("gateway_clearing", payment.amount, deal.buyer_org_id),
         Cr("deal_seller_payable", to_seller, deal.seller_org_id),
         Cr("broker_commission_payable", fee, getattr(deal.broker_firm, "org_id", None))],
        memo=f"交易 #{deal.id} 第 {instalment.seq} 期 {payment.payment_intent_id or ''}".strip(), actor=actor)
    db.session.add(DealLedgerEntry(entry_id=entry.id, deal_id=deal.id, instalment_id=instalment.id,
                                   payment_id=payment.id))
    db.session.flush()
    return entry


def deal_entries(deal) -> list:
    """The journal entries of a deal with their lines, oldest first."""
    from ..ledger.models import JournalEntry
    return list(db.session.scalars(
        sa.select(JournalEntry).join(DealLedgerEntry, DealLedgerEntry.entry_id == JournalEntry.id)
        .where(DealLedgerEntry.deal_id == deal.id).order_by(JournalEntry.id)))


def deal_money(deal) -> dict:
    """Paid by the buyer, owed to the seller and to the broker firm, from the journal (fen)."""
    totals = {"paid": 0, "seller": 0, "commission": 0}
    for entry in deal_entries(deal):
        for line in entry.lines:
            if line.account == "gateway_clearing":
                totals["paid"] += line.debit - line.credit
            elif line.account == "deal_seller_payable":
                totals["seller"] += line.credit - line.debit
            elif line.account == "broker_commission_payable":
                totals["commission"] += line.credit - line.debit
    return totals
