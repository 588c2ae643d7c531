"""Bids: exact steps from confirmed bidders while bidding is open; refusals record nothing; late bids
extend the end each time; under a race of 20 threads the database decides."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from marketplace.auctions import services
from marketplace.auctions.models import Auction, Bid
from marketplace.core.audit import AuditLog
from marketplace.core.errors import Conflict, Forbidden
from marketplace.extensions import db
from tests.races import committed, failures, race

from .conftest import DEPOSIT, START_PRICE, STEP, bid, do, pay_deposit


def recorded(world):
    auction = db.session.get(Auction, world.auction.id)
    db.session.refresh(auction)
    bids = db.session.scalar(sa.select(sa.func.count()).select_from(Bid))
    audits = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.action == "bid"))
    return bids, audits, auction.highest, auction.ends_at, auction.bid_count


def test_refused_bids_say_why_and_record_nothing(world):
    a, b, c = world.users
    reg_a = do(services.register, world.auction, actor=a)
    reg_b = do(services.register, world.auction, actor=b)          # never pays its deposit
    pay_deposit(reg_a)
    opening = world.starts_at + timedelta(minutes=1)
    before = recorded(world)
    with pytest.raises(Forbidden):                                    # before registration
        bid(world, c, START_PRICE, at=opening)
    with pytest.raises(Forbidden):                                    # registered, deposit not paid
        bid(world, b, START_PRICE, at=opening)
    with pytest.raises(Forbidden):                                    # the seller
        bid(world, world.seller_user, START_PRICE, at=opening)
    with pytest.raises(Conflict) as early:                            # bidding not yet open
        bid(world, a, START_PRICE, at=world.starts_at - timedelta(minutes=1))
    assert early.value.extra == {"highest": None, "next_valid": START_PRICE}
    with pytest.raises(Conflict) as low:                              # below the starting price
        bid(world, a, START_PRICE - STEP, at=opening)
    assert low.value.extra["next_valid"] == START_PRICE
    assert recorded(world) == before

    bid(world, a, START_PRICE, at=opening)
    after_first = recorded(world)
    with pytest.raises(Conflict) as same:                             # at the highest: below next valid
        bid(world, a, START_PRICE, at=opening)
    assert same.value.extra == {"highest": START_PRICE, "next_valid": START_PRICE + STEP}
    with pytest.raises(Conflict) as odd:                              # not a multiple of the increment
        bid(world, a, START_PRICE + STEP + 1, at=opening)
    assert odd.value.extra["next_valid"] == START_PRICE + STEP
    assert "¥10,500.00" in odd.value.detail
    with pytest.raises(Conflict):                                     # after the end
        bid(world, a, START_PRICE + 2 * STEP, at=world.ends_at + timedelta(seconds=1))
    assert recorded(world) == after_first
    assert reg_b.deposit == DEPOSIT


def test_three_late_bids_move_the_end_three_times(bidding):
    w = bidding
    a, b, _c = w.users
    bid(w, a, START_PRICE, at=w.starts_at + timedelta(minutes=10))   # early: the end stays
    assert recorded(w)[3] == w.ends_at
    end = w.ends_at
    for i, user in enumerate((b, a, b)):
        at = end - timedelta(minutes=2)
        bid(w, user, START_PRICE + (i + 1) * STEP, at=at)
        new_end = recorded(w)[3]
        assert new_end == at + timedelta(minutes=5) and new_end > end
        end = new_end
    auction = db.session.get(Auction, w.auction.id)
    assert auction.extensions == 3 and auction.ends_at == w.ends_at + timedelta(minutes=9)
    view = services.auction_view(auction, actor=a, now=w.ends_at + timedelta(minutes=1))
    assert view["status"] == "bidding"              # the original end has passed, the extended one not
    assert [x["alias"] for x in view["bids"]] == ["竞买人 2", "竞买人 1", "竞买人 2", "竞买人 1"]


def test_twenty_threads_bidding_at_once_leave_a_strictly_increasing_chain(app, bidding, make_user):
    w = bidding
    users = [w.users[i % 3] for i in range(20)]
    user_ids = [u.id for u in users]
    auction_id = w.auction.id
    from marketplace.accounts.models import User

    def bidder(i):
        accepted = 0
        actor = db.session.get(User, user_ids[i])
        for _attempt in range(3):
            auction = db.session.get(Auction, auction_id)
            db.session.refresh(auction)
            amount = services.auction_view(auction, actor=actor)["next_valid"] + (i % 3) * STEP
            db.session.rollback()  # what the bidder saw; the bid itself is a unit of work of its own
            try:
                committed(services.place_bid)(auction, amount, actor=actor)
                accepted += 1
            except Conflict:
                db.session.rollback()
        return accepted

    with time_machine.travel(w.starts_at + timedelta(minutes=1), tick=True):
        results = race(app, 20, bidder)
    assert failures(results) == []
    amounts = list(db.session.scalars(sa.select(Bid.amount).where(Bid.auction_id == auction_id).order_by(Bid.id)))
    assert sum(results) == len(amounts) >= 1
    assert amounts[0] >= START_PRICE and (amounts[0] - START_PRICE) % STEP == 0
    assert all(later > earlier and (later - earlier) % STEP == 0 for earlier, later in zip(amounts, amounts[1:], strict=False))
    auction = db.session.get(Auction, auction_id)
    assert auction.highest == amounts[-1] and auction.bid_count == len(amounts)
