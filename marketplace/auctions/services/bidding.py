"""Bids: exactly current highest + k × increment, from a confirmed bidder, while bidding is open.

The database decides a race: a bid moves the auction's `highest` by one conditional UPDATE that
holds only if `highest` (and the end) are still what the bidder's check read, so of two bids made
against the same highest exactly one passes and the other is told the new highest; and the bids
table is UNIQUE on (auction, amount). Accepted bids therefore strictly increase by valid steps.
A bid inside the last N minutes moves the end to now + N minutes in the same UPDATE.
"""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ...core.audit import record
from ...core.errors import Conflict, Forbidden
from ...core.money import format_fen
from ...core.permissions import require_login
from ...core.timeutil import utcnow
from ...extensions import db
from .. import rules
from ..models import Auction, Bid
from .listing import registration_of

__all__ = ["place_bid", "BidRefused"]


class BidRefused(Conflict):
    """409 naming the current highest and the next valid amount (problem+json members)."""


def _refused(message: str, highest: int | None, next_valid: int) -> BidRefused:
    current = format_fen(highest) if highest is not None else _("暂无出价")
    detail = _("%(why)s 当前最高价 %(highest)s，下一个有效出价 %(next)s（或再加若干个加价幅度）",
               why=message, highest=current, next=format_fen(next_valid))
    return BidRefused(detail, {"amount": [detail]}, extra={"highest": highest, "next_valid": next_valid})


def _state(auction_id: int):
    return db.session.execute(sa.select(Auction.status, Auction.highest, Auction.ends_at, Auction.starts_at,
                                        Auction.registration_deadline, Auction.starting_price, Auction.increment,
                                        Auction.extension_minutes).where(Auction.id == auction_id)).one()


def place_bid(auction: Auction, amount: int, *, actor, now: datetime | None = None) -> Bid:
    require_login(actor)
    now = now or utcnow()
    if actor.organisation_id is not None and actor.organisation_id == auction.seller_org_id:
        raise Forbidden(_("卖方不能参与竞价"))
    reg = registration_of(auction, actor=actor)
    if reg is None:
        raise Forbidden(_("请先报名并交纳保证金，经确认后方可出价"))
    if reg.status != "confirmed":
        raise Forbidden(_("保证金到账并确认竞买资格后方可出价"))
    s = _state(auction.id)
    next_valid = rules.next_valid(s.starting_price, s.increment, s.highest)
    if rules.phase(s.status, s.registration_deadline, s.starts_at, s.ends_at, now) != "bidding":
        raise _refused(_("现在不在竞价期内。"), s.highest, next_valid)
    error = rules.bid_error(amount, s.starting_price, s.increment, s.highest)
    if error == "below":
        raise _refused(_("出价低于下一个有效出价。"), s.highest, next_valid)
    if error == "step":
        raise _refused(_("出价必须是当前最高价加整数个加价幅度。"), s.highest, next_valid)
    new_end = rules.extended_end(s.ends_at, now, s.extension_minutes)
    same_highest = Auction.highest.is_(None) if s.highest is None else Auction.highest == s.highest
    moved = db.session.execute(
        sa.update(Auction).where(Auction.id == auction.id, Auction.status == "scheduled", same_highest,
                                 Auction.ends_at == s.ends_at, Auction.ends_at > now)
        .values(highest=amount, bid_count=Auction.bid_count + 1, ends_at=new_end,
                extensions=Auction.extensions + (1 if new_end != s.ends_at else 0), updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:  # another bid got in first: say what the highest is now
        s = _state(auction.id)
        raise _refused(_("有人先于您出价。"), s.highest, rules.next_valid(s.starting_price, s.increment, s.highest))
    bid = Bid(auction_id=auction.id, registration_id=reg.id, amount=amount, user_id=actor.id,
              extended_to=new_end if new_end != s.ends_at else None, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(bid)
            db.session.flush()
    except IntegrityError:  # never reached while the UPDATE above holds; the constraint is the last word
        raise _refused(_("该价位已有出价。"), amount, amount + s.increment) from None
    record("auction", auction.id, "bid", actor=actor,
           comment=f"{reg.alias} {amount}" + (f" → {new_end.isoformat()}" if bid.extended_to else ""))
    db.session.expire(auction)
    return bid
