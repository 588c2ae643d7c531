"""Closing ended auctions and settling the winner's deposit (`flask auctions close`, the scheduler).

Close (once: the auction's status moves by one conditional UPDATE, so a second run or a second
worker finds nothing to do): the highest bidder wins and a deal is created at the winning price
through trading (public notice first for a state-owned seller); with no bid the listing returns to
its fallback mode. Losers' deposits are due back within 3 working days (finance records the bank
transfer, `record_refund`; a card deposit goes back through the gateway's refund, a job after the commit). Afterwards the winner's deposit counts toward the first instalment once
the deal is signed, or is forfeited when it is not signed within 5 working days (and the platform
cancels the awarded deal, reason `auction_forfeited`).
"""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core.jobs import enqueue
from ...core.timeutil import to_local, utcnow
from ...core.workdays import add_working_days
from ...extensions import db
from ...trading import services as trading
from ...trading.models import Deal
from .. import accounting, rules
from ..models import Auction, AuctionRegistration, Bid
from ..states import AUCTION, REGISTRATION
from .deposits import refund_card_deposit

__all__ = ["close_auction", "close_ended", "settle_winners"]

SIGNED = ("signed", "paid", "completed")


def _release_others(auction: Auction, winner_id: int | None, now: datetime, *, actor):
    refund_by, _provisional = add_working_days(to_local(now).date(), rules.REFUND_WORKING_DAYS)
    for reg in db.session.scalars(sa.select(AuctionRegistration).where(AuctionRegistration.auction_id == auction.id,
                                                                      AuctionRegistration.id != (winner_id or 0))):
        if reg.status == "pending":
            REGISTRATION.apply(reg, "lapsed", actor=actor, action="lapse")
        elif reg.status in ("paid", "confirmed"):
            if reg.deposit_via == "none":  # nothing was paid: nothing to return
                REGISTRATION.apply(reg, "refunding", actor=actor, action="release", refund_due_on=refund_by)
                REGISTRATION.apply(reg, "refunded", actor=actor, action="refund", settled_at=now)
            else:
                REGISTRATION.apply(reg, "refunding", actor=actor, action="release", refund_due_on=refund_by,
                                   comment=_("未竞得，保证金于 %(day)s 前退还", day=refund_by.isoformat()))
                if reg.deposit_via == "card":  # back to the card through the gateway, once the close commits
                    enqueue(refund_card_deposit, reg.id)


def close_auction(auction: Auction, *, now: datetime | None = None, actor=None) -> str:
    """Close one ended auction: 'awarded' or 'failed' (Conflict if another run closed it first)."""
    now = now or utcnow()
    if auction.status != "scheduled" or now < auction.ends_at:
        return auction.status
    if auction.highest is None:
        AUCTION.apply(auction, "failed", actor=actor, action="fail", closed_at=now,
                      comment=_("无人出价，流拍；恢复为%(mode)s", mode=auction.fallback_mode))
        auction.achievement.listing_mode = auction.fallback_mode
        _release_others(auction, None, now, actor=actor)
        db.session.flush()
        return "failed"
    top = db.session.scalar(sa.select(Bid).where(Bid.auction_id == auction.id, Bid.amount == auction.highest))
    winner = db.session.get(AuctionRegistration, top.registration_id)
    comment = _("网络竞价 #%(id)s 竞得价 %(amount)s 元", id=auction.id, amount=f"{auction.highest / 100:.2f}")
    deal = trading.create_deal_at_price(achievement_id=auction.achievement_id, buyer_org_id=winner.org_id,
                                        amount=auction.highest, comment=comment, actor=actor, now=now)
    start = deal.notice_ends_at or now  # a noticed result is signed after its notice
    sign_by, _provisional = add_working_days(to_local(start).date(), rules.SIGN_WORKING_DAYS)
    AUCTION.apply(auction, "awarded", actor=actor, action="award", closed_at=now, deal_id=deal.id, sign_by=sign_by,
                  comment=f"{winner.alias} {auction.highest} deal {deal.id}")
    REGISTRATION.apply(winner, "won", actor=actor, action="win")
    _release_others(auction, winner.id, now, actor=actor)
    db.session.flush()
    return "awarded"


def settle_winners(now: datetime | None = None, *, actor=None) -> dict:
    """Winners' deposits: counted toward the first instalment once the deal is signed, forfeited when
    it is not signed by `sign_by` (5 working days). Idempotent."""
    now = now or utcnow()
    today = to_local(now).date()
    counts = {"applied": 0, "forfeited": 0}
    rows = db.session.execute(sa.select(AuctionRegistration, Auction, Deal)
                              .join(Auction, Auction.id == AuctionRegistration.auction_id)
                              .join(Deal, Deal.id == Auction.deal_id)
                              .where(AuctionRegistration.status == "won")).all()
    for reg, auction, deal in rows:
        if deal.status in SIGNED:
            REGISTRATION.apply(reg, "applied", actor=actor, action="apply", settled_at=now)
            accounting.post_applied(reg, auction.seller_org_id, deal.id, actor=actor)
            trading.credit_instalments(deal, reg.deposit, actor=actor, now=now,
                                       comment=_("网络竞价保证金抵作价款"))
            counts["applied"] += 1
        elif auction.sign_by is not None and today > auction.sign_by:
            REGISTRATION.apply(reg, "forfeited", actor=actor, action="forfeit", settled_at=now,
                               comment=_("未在 %(day)s 前签约", day=auction.sign_by.isoformat()))
            accounting.post_forfeited(reg, auction.seller_org_id, actor=actor)
            trading.cancel_forfeited_deal(deal, actor=actor, now=now,
                                          comment=_("网络竞价 #%(id)s 竞得人未在 %(day)s 前签约", id=auction.id,
                                                    day=auction.sign_by.isoformat()))
            counts["forfeited"] += 1
    db.session.flush()
    return counts


def close_ended(now: datetime | None = None) -> dict:
    """Close every ended auction, then settle winners' deposits (the CLI and the scheduler's job)."""
    now = now or utcnow()
    counts = {"closed": 0, "awarded": 0, "failed": 0}
    ids = list(db.session.scalars(sa.select(Auction.id).where(Auction.status == "scheduled", Auction.ends_at <= now)
                                  .order_by(Auction.id)))
    for auction_id in ids:
        auction = db.session.get(Auction, auction_id)
        outcome = close_auction(auction, now=now)
        if outcome in ("awarded", "failed"):
            counts["closed"] += 1
            counts[outcome] += 1
    counts.update(settle_winners(now))
    return counts

