"""Close and award: the highest bidder wins a deal at the winning price, losers' deposits come back
within 3 working days, the winner's deposit counts toward the first instalment or is forfeited after
5 working days unsigned; every movement is in the ledger and the trial balance is zero. Idempotent."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.auctions import accounting, services
from marketplace.auctions.models import Auction, AuctionRegistration
from marketplace.catalog.models import Achievement
from marketplace.core.errors import Invalid
from marketplace.core.models import AuditLog
from marketplace.extensions import db
from marketplace.ledger import trial_balance
from marketplace.trading import services as trading
from marketplace.trading.models import Deal

from .conftest import DEPOSIT, START_PRICE, STEP, bid, do


def close(world, at):
    return do(services.close_ended, at)


def reg(reg_id):
    return db.session.get(AuctionRegistration, reg_id)


def kinds(auction_id):
    return [(e.kind, sorted((x.account, x.debit, x.credit) for x in e.lines)) for e in accounting.entries_of(auction_id)]


def ended(w):
    a, b, _c = w.users
    bid(w, a, START_PRICE, at=w.starts_at + timedelta(minutes=5))
    bid(w, b, START_PRICE + 2 * STEP, at=w.starts_at + timedelta(minutes=6))
    return w.ends_at + timedelta(minutes=1)


def test_close_awards_a_deal_at_the_winning_price_and_applies_the_deposit_once_signed(bidding):
    w = bidding
    at = ended(w)
    counts = close(w, at)
    assert (counts["closed"], counts["awarded"]) == (1, 1)
    assert close(w, at)["closed"] == 0                       # idempotent
    auction = db.session.get(Auction, w.auction.id)
    deal = db.session.get(Deal, auction.deal_id)
    assert (deal.buyer_org_id, deal.amount, deal.status) == (w.bidders[1].id, START_PRICE + 2 * STEP, "agreed")
    # 2026-11-30 (Mon) + 3 working days = 12-03; + 5 working days = 12-07
    assert [reg(r.id).status for r in w.regs] == ["refunding", "won", "refunding"]
    assert reg(w.regs[0].id).refund_due_on == date(2026, 12, 3) and auction.sign_by == date(2026, 12, 7)

    do(services.record_refund, reg(w.regs[0].id), actor=w.finance, reference="REFUND-001")
    do(services.record_refund, reg(w.regs[2].id), actor=w.finance)
    price = START_PRICE + 2 * STEP
    for user in (w.users[1], w.seller_user):
        do(trading.sign_deal, db.session.get(Deal, deal.id), actor=user, contract_type="transfer",
           total_amount=price, tech_amount=price, instalments=[(date(2027, 1, 15), 400_000), (date(2027, 3, 1), price - 400_000)],
           now=at + timedelta(hours=1))
    assert db.session.get(Deal, deal.id).status == "signed"
    assert do(services.settle_winners, at + timedelta(hours=2)) == {"applied": 1, "forfeited": 0}
    assert do(services.settle_winners, at + timedelta(days=30)) == {"applied": 0, "forfeited": 0}
    first = sorted(db.session.get(Deal, deal.id).instalments, key=lambda i: i.seq)[0]
    assert (first.amount, first.status) == (400_000 - DEPOSIT, "due")
    assert reg(w.regs[1].id).status == "applied"
    assert kinds(w.auction.id) == [
        *[("deposit_received", [("auction_deposit_held", 0, DEPOSIT), ("bank", DEPOSIT, 0)])] * 3,
        *[("deposit_refund", [("auction_deposit_held", DEPOSIT, 0), ("bank", 0, DEPOSIT)])] * 2,
        ("deposit_applied", [("auction_deposit_held", DEPOSIT, 0), ("deal_seller_payable", 0, DEPOSIT)]),
    ]
    tb = trial_balance()
    assert tb["total_debits"] == tb["total_credits"] and tb["accounts"]["auction_deposit_held"] == 0


def test_a_winner_who_does_not_sign_in_five_working_days_forfeits_the_deposit(bidding):
    w = bidding
    at = ended(w)
    close(w, at)
    assert do(services.settle_winners, at + timedelta(days=7))["forfeited"] == 0   # 12-07 is the last day
    assert do(services.settle_winners, at + timedelta(days=8)) == {"applied": 0, "forfeited": 1}
    assert reg(w.regs[1].id).status == "forfeited"
    assert kinds(w.auction.id)[-1] == (
        "deposit_forfeit", [("auction_deposit_held", DEPOSIT, 0), ("forfeited_deposit_payable", 0, DEPOSIT)])
    tb = trial_balance()
    assert tb["total_debits"] == tb["total_credits"]
    assert tb["accounts"]["forfeited_deposit_payable"] == -DEPOSIT
    # The awarded deal does not stay open: the platform cancelled it, with its reason, in the audit log.
    deal = db.session.get(Deal, db.session.get(Auction, w.auction.id).deal_id)
    assert (deal.status, deal.cancel_reason_code) == ("cancelled", "auction_forfeited")
    log = db.session.scalar(sa.select(AuditLog).where(AuditLog.entity == "deal", AuditLog.entity_id == deal.id,
                                                      AuditLog.to_state == "cancelled"))
    assert log is not None and "auction_forfeited" in log.comment
    with pytest.raises(Invalid):  # a reason only the platform sets
        do(trading.cancel_deal, deal, actor=w.seller_user, reason_code="auction_forfeited")


def test_no_bid_returns_the_listing_to_its_fallback_mode(bidding):
    w = bidding
    counts = close(w, w.ends_at)
    assert (counts["closed"], counts["failed"]) == (1, 1)
    assert db.session.get(Auction, w.auction.id).status == "failed"
    assert db.session.get(Achievement, w.achievement.id).listing_mode == "fixed"
    assert {reg(r.id).status for r in w.regs} == {"refunding"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deal)) == 0


def test_a_state_owned_sellers_result_goes_to_public_notice_first(bidding):
    w = bidding
    ach = db.session.get(Achievement, w.achievement.id)
    ach.state_owned = True
    db.session.commit()
    close(w, ended(w))
    deal = db.session.get(Deal, db.session.get(Auction, w.auction.id).deal_id)
    assert deal.status == "public_notice" and deal.amount == START_PRICE + 2 * STEP
    # the 5 working days to sign run from the notice's end
    assert db.session.get(Auction, w.auction.id).sign_by > deal.notice_ends_at.date()
