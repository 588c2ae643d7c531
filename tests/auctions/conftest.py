"""An auction world: a seller company with an achievement listed by auction (approved), three
verified bidder companies, a reviewer and finance. Times are naive UTC, from the suite's clock."""
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from marketplace.auctions import services
from marketplace.auctions.schemas import AuctionTermsIn
from marketplace.core.db import writing
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

START_PRICE = 1_000_000   # ¥10,000.00
STEP = 50_000             # ¥500.00
DEPOSIT = 100_000         # 10 %


def do(fn, *args, **kw):
    """One service call as one committed unit of work (rolled back on an error)."""
    db.session.commit()
    with writing():
        try:
            out = fn(*args, **kw)
            db.session.commit()
            return out
        except Exception:
            db.session.rollback()
            raise


def aware(naive: datetime) -> datetime:
    from datetime import UTC
    return naive.replace(tzinfo=UTC)


@pytest.fixture
def world(app, make_org, make_user, make_resource):
    now = utcnow().replace(microsecond=0)
    w = SimpleNamespace(now=now)
    w.seller = make_org(name="南京某科技公司", kind="enterprise")
    w.seller_user = make_user(w.seller, name="卖方")
    w.bidders = [make_org(name=f"竞买公司{i}", kind="enterprise", city="苏州") for i in range(3)]
    w.users = [make_user(org, name=f"竞买人{i}") for i, org in enumerate(w.bidders)]
    w.reviewer = make_user(None, roles=("reviewer",), name="审核员")
    w.finance = make_user(None, roles=("finance",), name="财务")
    w.achievement = make_resource("achievement", w.seller, title="一种高精度激光测距方法", state_owned=False,
                                  transaction_modes="transfer", listing_mode="negotiated")
    w.reg_deadline = now + timedelta(hours=1)
    w.starts_at = now + timedelta(hours=2)
    w.ends_at = now + timedelta(hours=3)
    terms = AuctionTermsIn(starting_price=START_PRICE, increment=STEP, registration_deadline=aware(w.reg_deadline),
                           starts_at=aware(w.starts_at), ends_at=aware(w.ends_at), extension_minutes=5,
                           fallback_mode="fixed")
    w.auction = do(services.create_auction, w.achievement.id, terms, actor=w.seller_user)
    do(services.review_auction, w.auction, actor=w.reviewer, approve=True)
    return w


def pay_deposit(reg, w=None):
    """The deposit arrives by bank transfer quoting the registration's remittance code."""
    return do(services.claim_transfer, reg.remittance_code, reg.deposit, f"bank-{reg.id}", actor=None)


@pytest.fixture
def bidding(world):
    """Every bidder registered with the deposit paid (confirmed automatically); bidding has begun."""
    world.regs = []
    for user in world.users:
        reg = do(services.register, world.auction, actor=user)
        assert pay_deposit(reg) == "matched"
        world.regs.append(reg)
    return world


def bid(world, user, amount, at=None):
    auction = db.session.get(type(world.auction), world.auction.id)
    return do(services.place_bid, auction, amount, actor=user, now=at)


@pytest.fixture
def gateway_up(app, localstripe):
    """Cards go to a real localstripe process."""
    app.config["STRIPE_API_BASE"] = localstripe
    return localstripe
