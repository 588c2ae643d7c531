"""A deposit's money in the double-entry ledger; each movement is one balanced entry linked to its
auction and registration (AuctionLedgerEntry).

    received (bank transfer)   Dr bank                      Cr auction_deposit_held (bidder)
    received (card)            Dr gateway_clearing          Cr auction_deposit_held (bidder)
    refunded to a loser        Dr auction_deposit_held      Cr bank (or gateway_clearing: a card's refund)
    applied to the price       Dr auction_deposit_held      Cr deal_seller_payable (seller)
    forfeited (no signature)   Dr auction_deposit_held      Cr forfeited_deposit_payable (seller)
"""
import sqlalchemy as sa

from ..extensions import db
from .models import AuctionLedgerEntry


def _post(kind, lines, reg, memo, *, actor):
    from .. import ledger
    entry = ledger.post_entry(kind, lines, memo=memo, actor=actor)
    if entry is not None:
        db.session.add(AuctionLedgerEntry(entry_id=entry.id, auction_id=reg.auction_id, registration_id=reg.id))
        db.session.flush()
    return entry


def _account(via: str) -> str:
    """Where a deposit's money is: the bank for a transfer, the gateway's clearing for a card (as bills)."""
    return "gateway_clearing" if via == "card" else "bank"


def post_received(reg, reference: str, *, via: str = "transfer", actor=None):
    from ..ledger import Cr, Dr
    return _post("deposit_received", [Dr(_account(via), reg.deposit, reg.org_id),
                                      Cr("auction_deposit_held", reg.deposit, reg.org_id)],
                 reg, f"竞价 #{reg.auction_id} 保证金 {reg.remittance_code} {reference}", actor=actor)


def post_refunded(reg, reference: str, *, via: str = "transfer", actor=None):
    from ..ledger import Cr, Dr
    return _post("deposit_refund", [Dr("auction_deposit_held", reg.deposit, reg.org_id),
                                    Cr(_account(via), reg.deposit, reg.org_id)],
                 reg, f"竞价 #{reg.auction_id} 退还保证金 {reference}", actor=actor)


def post_applied(reg, seller_org_id: int, deal_id: int, *, actor=None):
    from ..ledger import Cr, Dr
    return _post("deposit_applied", [Dr("auction_deposit_held", reg.deposit, reg.org_id),
                                     Cr("deal_seller_payable", reg.deposit, seller_org_id)],
                 reg, f"竞价 #{reg.auction_id} 保证金抵作交易 #{deal_id} 首期价款", actor=actor)


def post_forfeited(reg, seller_org_id: int, *, actor=None):
    from ..ledger import Cr, Dr
    return _post("deposit_forfeit", [Dr("auction_deposit_held", reg.deposit, reg.org_id),
                                     Cr("forfeited_deposit_payable", reg.deposit, seller_org_id)],
                 reg, f"竞价 #{reg.auction_id} 竞得人未按期签约，没收保证金", actor=actor)


def entries_of(auction_id: int) -> list:
    """The journal entries of an auction's deposits, oldest first."""
    from ..ledger.models import JournalEntry
    return list(db.session.scalars(
        sa.select(JournalEntry).join(AuctionLedgerEntry, AuctionLedgerEntry.entry_id == JournalEntry.id)
        .where(AuctionLedgerEntry.auction_id == auction_id).order_by(JournalEntry.id)))
