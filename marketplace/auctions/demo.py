"""Demo data of online bidding: one achievement in bidding, with three registered bidders (the demo
company among them) whose deposits arrived by bank transfer, and a few bids. Made through the services
with a set clock, as people would have acted."""
from datetime import timedelta

import sqlalchemy as sa

from ..accounts.models import Organisation, User
from ..catalog.models import Achievement
from ..core.timeutil import utcnow
from ..extensions import db
from ..verification.services import identity_of, related_reason
from . import rules
from .models import Auction
from .services import claim_transfer, place_bid, register


def seed_auctions(rng) -> str:
    company = db.session.scalar(sa.select(User).where(User.email == "company@demo.cn"))
    achievement = db.session.scalar(sa.select(Achievement).where(Achievement.status == "published",
                                                                 sa.or_(Achievement.state_owned.is_(False),
                                                                        Achievement.state_owned.is_(None)))
                                    .order_by(Achievement.id).limit(1))
    if company is None or achievement is None or company.organisation is None:
        return "no auction (no demo company or achievement)"
    if db.session.scalar(sa.select(Auction.id).limit(1)) is not None:
        return "already seeded"
    now = utcnow().replace(microsecond=0)
    price = 200_000_00 + 10_000_00 * rng.randrange(0, 20)
    auction = Auction(achievement_id=achievement.id, seller_org_id=achievement.owner_org_id, title=achievement.title,
                      starting_price=price, increment=5_000_00, deposit=rules.default_deposit(price),
                      registration_deadline=now - timedelta(hours=3), starts_at=now - timedelta(hours=2),
                      ends_at=now + timedelta(days=2), original_ends_at=now + timedelta(days=2),
                      extension_minutes=5, fallback_mode="negotiated", status="scheduled", created_at=now - timedelta(days=3))
    db.session.add(auction)
    achievement.listing_mode = "auction"
    db.session.flush()
    bidders = [company]
    others = db.session.scalars(sa.select(User).join(Organisation, Organisation.id == User.organisation_id)
                                .where(Organisation.kind == "enterprise", User.organisation_id != company.organisation_id,
                                       User.organisation_id != achievement.owner_org_id)
                                .order_by(User.id).limit(200))
    for user in others:
        org = user.organisation
        if len(bidders) == 3:
            break
        if (org.kind == "enterprise" and identity_of(org) is not None and org.id not in {u.organisation_id for u in bidders}
                and related_reason(org, auction.seller) is None and related_reason(org, company.organisation) is None):
            bidders.append(user)
    for user in bidders:
        reg = register(auction, actor=user, now=now - timedelta(hours=4))
        claim_transfer(reg.remittance_code, reg.deposit, f"bank-DEMO-{reg.id}", actor=None)
    amount = price
    for minutes, user in zip((110, 80, 45, 20), (bidders[1:] + bidders) * 2, strict=False):
        place_bid(auction, amount, actor=user, now=now - timedelta(minutes=minutes))
        amount += auction.increment * (1 + rng.randrange(0, 2))
    return f"1 auction in bidding, {len(bidders)} bidders"
