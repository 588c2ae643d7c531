"""ICS feeds: a user's bookings at a secret URL, an instrument's bookings for its staff."""
import hashlib
import secrets
from datetime import UTC, timedelta

from flask_babel import gettext as _
from icalendar import Calendar, Event

from ..core.timeutil import utcnow
from ..extensions import db
from .models import ACTIVE_STATUSES, Booking, CalendarToken

FEED_STATUSES = ACTIVE_STATUSES + ("completed", "settled")
FEED_PAST_DAYS = 90


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def regenerate_token(user) -> str:
    """Create or replace the user's feed secret; return it (only its hash is stored)."""
    secret = secrets.token_urlsafe(32)
    row = db.session.get(CalendarToken, user.id)
    if row is None:
        row = CalendarToken(user_id=user.id, token_hash=_sha256(secret))
        db.session.add(row)
    else:
        row.token_hash = _sha256(secret)
        row.created_at = utcnow()
    db.session.flush()
    return secret


def has_token(user) -> bool:
    return db.session.get(CalendarToken, user.id) is not None


def user_for_token(secret: str):
    if not isinstance(secret, str) or not 20 <= len(secret) <= 100:
        return None
    row = db.session.scalar(db.select(CalendarToken).where(CalendarToken.token_hash == _sha256(secret)))
    if row is None:
        return None
    from ..accounts.models import User
    user = db.session.get(User, row.user_id)
    return user if user is not None and user.active else None


def _feed(name: str, bookings, show_user: bool) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//JSST Science Resource Hub//Booking//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for b in bookings:
        ev = Event()
        ev.add("uid", f"booking-{b.id}@jsst-hub")
        ev.add("dtstamp", (b.updated_at or b.created_at).replace(tzinfo=UTC))
        ev.add("dtstart", b.start.replace(tzinfo=UTC))
        ev.add("dtend", b.end.replace(tzinfo=UTC))
        summary = b.instrument.title
        if show_user:
            summary += f" — {b.user.name}（{b.org.name}）"
        ev.add("summary", summary)
        ev.add("status", "TENTATIVE" if b.status == "requested" else "CONFIRMED")
        location = getattr(b.instrument, "location", None)  # facilities have no location field
        if location:
            ev.add("location", location)
        ev.add("description", f"{b.status_label} / {b.status}\n{b.purpose}")
        cal.add_component(ev)
    return cal.to_ical()


def _recent(q):
    since = utcnow() - timedelta(days=FEED_PAST_DAYS)
    return db.session.scalars(q.where(Booking.status.in_(FEED_STATUSES), Booking.end >= since)
                              .order_by(Booking.start)).all()


def user_feed(user) -> bytes:
    return _feed(_("我的仪器预约 - %(name)s", name=user.name), _recent(db.select(Booking).where(Booking.user_id == user.id)),
                 show_user=False)


def instrument_feed(instrument) -> bytes:
    return _feed(_("%(title)s 预约", title=instrument.title), _recent(db.select(Booking).where(Booking.instrument_id == instrument.id)),
                 show_user=True)
