"""Listing an achievement by auction: the terms, their review, and what the page and the API show."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from ...catalog.models import Achievement
from ...core.audit import record
from ...core.db import find
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.permissions import require_login, require_role
from ...core.timeutil import utcnow
from ...extensions import db
from .. import rules
from ..models import Auction, AuctionRegistration, Bid
from ..schemas import AuctionTermsIn, AuctionTermsOut
from ..states import AUCTION

__all__ = ["achievement_auction", "auction_of", "auction_view", "bids_of", "create_auction", "get_auction", "phase", "registration_of",
           "review_auction", "review_queue"]

_TERM_MESSAGES = {
    "positive": lambda: _("必须大于 0"),
    "range": lambda: _("超出允许范围"),
    "past": lambda: _("报名截止时间必须晚于现在"),
    "after_start": lambda: _("报名截止时间不能晚于竞价开始时间"),
    "before_start": lambda: _("竞价结束时间必须晚于开始时间"),
}


def _now(now):
    return now or utcnow()


def phase(auction: Auction, now: datetime | None = None) -> str:
    return rules.phase(auction.status, auction.registration_deadline, auction.starts_at, auction.ends_at, _now(now))


def _is_staff(*, actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and (
        actor.has_role("reviewer") or actor.has_role("admin") or actor.has_role("finance"))


def get_auction(auction_id, *, actor=None) -> Auction:
    """Public once approved; before that, the seller's members and staff only."""
    auction = find(Auction, auction_id)
    if auction is None:
        raise NotFound(_("竞价不存在"))
    if auction.status in ("pending_review", "rejected") and not (
            _is_staff(actor=actor) or (actor is not None and getattr(actor, "is_authenticated", False)
                                 and actor.is_member_of(auction.seller_org_id))):
        raise NotFound(_("竞价不存在"))
    return auction


def auction_of(achievement_id: int) -> Auction | None:
    """The achievement's current auction (latest; a failed or rejected one is no longer current)."""
    return db.session.scalar(sa.select(Auction).where(Auction.achievement_id == achievement_id,
                                                      Auction.status.not_in(("failed", "rejected")))
                             .order_by(Auction.id.desc()).limit(1))


def achievement_auction(resource) -> dict | None:
    """What an achievement's API answer adds (catalog.answers): its public auction's id, phase and terms."""
    if resource.type != "achievement":
        return None
    auction = auction_of(resource.id)
    if auction is None or auction.status not in ("scheduled", "awarded"):  # under review: not public yet
        return None
    terms = {name: getattr(auction, name) for name in AuctionTermsOut.model_fields if name != "status"}
    return AuctionTermsOut(status=phase(auction), **terms).model_dump(mode="json")


def create_auction(achievement_id, terms: AuctionTermsIn, *, actor, now: datetime | None = None) -> Auction:
    """The seller lists a published achievement by auction; a reviewer approves the terms before
    registration opens (like any listing change)."""
    require_login(actor)
    now = _now(now)
    achievement = find(Achievement, achievement_id)
    if achievement is None or achievement.type != "achievement":
        raise NotFound(_("科技成果不存在"))
    if not actor.is_member_of(achievement.owner_org_id):
        raise Forbidden(_("只有成果所属单位可以设置网络竞价"))
    if achievement.status != "published":
        raise Conflict(_("成果发布后才能挂牌竞价"))
    current = auction_of(achievement.id)
    if current is not None:  # one auction per achievement (after a failed or rejected one, a new one)
        raise Conflict(_("该成果已有进行中的网络竞价"))
    deposit = terms.deposit if terms.deposit is not None else rules.default_deposit(terms.starting_price)
    errors = rules.terms_errors(terms.starting_price, terms.increment, deposit, terms.registration_deadline,
                                terms.starts_at, terms.ends_at, terms.extension_minutes, now)
    if errors:
        messages = {field: [_TERM_MESSAGES[code]()] for field, code in errors.items()}
        raise Invalid(next(iter(messages.values()))[0], messages)
    auction = Auction(achievement_id=achievement.id, seller_org_id=achievement.owner_org_id,
                      title=achievement.title[:200], starting_price=terms.starting_price, increment=terms.increment,
                      deposit=deposit, registration_deadline=terms.registration_deadline, starts_at=terms.starts_at,
                      ends_at=terms.ends_at, original_ends_at=terms.ends_at,
                      extension_minutes=terms.extension_minutes, fallback_mode=terms.fallback_mode,
                      status="pending_review", created_by_id=actor.id, created_at=now, updated_at=now)
    db.session.add(auction)
    db.session.flush()
    record("auction", auction.id, "create", actor=actor, to_state="pending_review",
           comment=f"{terms.starting_price}+{terms.increment} deposit {deposit}")
    return auction


def review_auction(auction: Auction, *, actor, approve: bool, reason: str = "") -> Auction:
    """A reviewer approves the terms (the achievement is then listed by auction) or sends them back."""
    require_role(actor, "reviewer")
    if auction.status != "pending_review":
        raise Conflict(_("该竞价不在待审核状态"))
    if approve:
        if auction.registration_deadline <= utcnow():
            raise Conflict(_("报名截止时间已过，请退回后由卖方修改"))
        AUCTION.apply(auction, "scheduled", actor=actor, action="approve", reject_reason=None)
        auction.achievement.listing_mode = "auction"
    else:
        if not (reason or "").strip():
            raise Invalid.field("reason", _("请填写退回原因"))
        AUCTION.apply(auction, "rejected", actor=actor, action="reject", comment=reason.strip()[:500],
                      reject_reason=reason.strip()[:500])
    db.session.flush()
    return auction


def review_queue(*, actor) -> list[Auction]:
    require_role(actor, "reviewer")
    return list(db.session.scalars(sa.select(Auction).where(Auction.status == "pending_review").order_by(Auction.id)))


def registration_of(auction: Auction, *, actor) -> AuctionRegistration | None:
    """The actor's organisation's registration for the auction, if any."""
    org_id = getattr(actor, "organisation_id", None) if actor is not None and getattr(
        actor, "is_authenticated", False) else None
    if org_id is None:
        return None
    return db.session.scalar(sa.select(AuctionRegistration).where(AuctionRegistration.auction_id == auction.id,
                                                                  AuctionRegistration.org_id == org_id))


def bids_of(auction: Auction) -> list[Bid]:
    """The accepted bids, newest (highest) first."""
    return list(db.session.scalars(sa.select(Bid).where(Bid.auction_id == auction.id).order_by(Bid.amount.desc())))


def auction_view(auction: Auction, *, actor, now: datetime | None = None) -> dict:
    """What the page and GET /auctions/ID show: the phase, highest, next valid amount, the time left
    (following extensions), the bids as 竞买人 n, and the caller's own registration."""
    now = _now(now)
    mine = registration_of(auction, actor=actor)
    return {
        "id": auction.id, "achievement_id": auction.achievement_id, "title": auction.title,
        "status": phase(auction, now), "starting_price": auction.starting_price, "increment": auction.increment,
        "deposit": auction.deposit, "registration_deadline": auction.registration_deadline,
        "starts_at": auction.starts_at, "ends_at": auction.ends_at, "extension_minutes": auction.extension_minutes,
        "fallback_mode": auction.fallback_mode, "highest": auction.highest,
        "next_valid": rules.next_valid(auction.starting_price, auction.increment, auction.highest),
        "seconds_left": max(0, int((auction.ends_at - now).total_seconds())),
        "bids": [{"alias": b.registration.alias, "amount": b.amount, "at": b.created_at} for b in bids_of(auction)],
        "deal_id": auction.deal_id,
        "mine": None if mine is None else {
            "id": mine.id, "alias": mine.alias, "status": mine.status, "deposit": mine.deposit,
            "remittance_code": mine.remittance_code,
            "refund_due_on": mine.refund_due_on.isoformat() if mine.refund_due_on else None},
    }
