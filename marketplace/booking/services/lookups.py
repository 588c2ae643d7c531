"""Finding instruments and bookings, who may see them, the rules in force, free time, the week calendar."""
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _

from ...accounts.models import User
from ...catalog.models import Instrument
from ...core.errors import Invalid, NotFound
from ...core.permissions import require_login
from ...core.schema import MAX_ID
from ...core.timeutil import to_local, utcnow
from ...extensions import db
from .. import rules
from ..models import ACTIVE_STATUSES, Blackout, Booking, BookingSettings, Qualification

MAX_QUERY_DAYS = 92  # availability window asked of the API at once


def is_id(value) -> bool:
    """A value that can be a row id (32-bit keys): anything else is simply not found."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def get_instrument(instrument_id, *, public: bool = True) -> Instrument:
    # platform rows are not needed for booking; skip their extra query
    inst = db.session.get(Instrument, instrument_id, options=[sa.orm.lazyload(Instrument.platform_rows),
                                                              sa.orm.lazyload(Instrument.owner)]) \
        if is_id(instrument_id) else None
    if inst is None or (public and inst.status != "published"):
        raise NotFound(_("仪器不存在"))
    return inst


def is_provider_member(actor, org_id) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False)
                and (actor.is_member_of(org_id) or actor.has_role("admin")))


def can_view(booking: Booking, actor) -> bool:
    """Its user, members of the booking organisation (who may pay it), the provider's members, admins,
    and finance (statements and refunds link to the booking)."""
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and (
        booking.user_id == actor.id or actor.is_member_of(booking.org_id)
        or is_provider_member(actor, booking.provider_org_id) or actor.has_role("finance")))


def get_booking(booking_id, *, actor) -> Booking:
    """The booking, if the actor may see it (see can_view); else 404, revealing nothing."""
    require_login(actor)
    booking = db.session.get(Booking, booking_id) if is_id(booking_id) else None
    if booking is None or not can_view(booking, actor):
        raise NotFound(_("预约不存在"))
    return booking


def grace_minutes() -> int:
    return current_app.config["BOOKING_NO_SHOW_MINUTES"]


def effective_status(booking: Booking, now: datetime | None = None) -> str:
    """What the booking is now, worked out at read time: past the check-in window an approved
    booking shows as a no-show and an undecided request as lapsed, before the sweep writes it."""
    return rules.effective_status(booking.status, booking.start, now or utcnow(), grace_minutes())


def effective_rules(instrument: Instrument, settings: BookingSettings | None = None) -> rules.Rules:
    cfg = current_app.config
    if settings is None:
        settings = db.session.get(BookingSettings, instrument.id)
    if settings is not None:
        weekly = tuple((h.weekday, h.opens, h.closes) for h in settings.opening_hours)
    else:
        weekly = _default_weekly(cfg["BOOKING_OPENING_HOURS"])
    now = utcnow()
    blackouts = tuple(tuple(row) for row in db.session.execute(
        db.select(Blackout.start, Blackout.end, Blackout.reason)
        .where(Blackout.instrument_id == instrument.id, Blackout.end > now).order_by(Blackout.start)))

    def pick(value, key):
        return value if value is not None else cfg[key]

    s = settings
    return rules.Rules(
        weekly=weekly,
        lead_time_hours=pick(s and s.lead_time_hours, "BOOKING_LEAD_TIME_HOURS"),
        horizon_days=pick(s and s.horizon_days, "BOOKING_HORIZON_DAYS"),
        min_minutes=pick(s and s.min_minutes, "BOOKING_MIN_MINUTES"),
        max_minutes=pick(s and s.max_minutes, "BOOKING_MAX_MINUTES"),
        slot_minutes=cfg["BOOKING_SLOT_MINUTES"],
        max_samples=cfg["BOOKING_MAX_SAMPLES"],
        requires_approval=s.requires_approval if s is not None else True,
        blackouts=blackouts,
    )


_WEEKLY_CACHE: dict[str, tuple] = {}


def _default_weekly(text: str) -> tuple:
    if text not in _WEEKLY_CACHE:
        _WEEKLY_CACHE[text] = tuple(rules.parse_weekly_hours(text))
    return _WEEKLY_CACHE[text]


def busy_between(instrument_id: int, lo: datetime, hi: datetime) -> list[rules.Interval]:
    rows = db.session.execute(
        db.select(Booking.start, Booking.end).where(
            Booking.instrument_id == instrument_id, Booking.status.in_(ACTIVE_STATUSES),
            Booking.start < hi, Booking.end > lo).order_by(Booking.start))
    return [(s, e) for s, e in rows]


def availability(instrument: Instrument, lo: datetime, hi: datetime, now: datetime | None = None):
    """Free intervals of the instrument in [lo, hi) (naive UTC)."""
    if hi <= lo:
        raise Invalid.field("to", _("结束时间必须晚于开始时间"))
    if hi - lo > timedelta(days=MAX_QUERY_DAYS):
        raise Invalid.field("to", _("查询范围不超过 %(n)s 天", n=MAX_QUERY_DAYS))
    now = now or utcnow()
    r = effective_rules(instrument)
    return rules.free_intervals(r, busy_between(instrument.id, lo, hi), lo, hi, now)


def _week_start(arg: str | None, first_bookable: datetime | None = None) -> date:
    """Monday of the asked week; by default the week in which booking first becomes possible."""
    today = to_local(first_bookable or utcnow()).date()
    try:
        d = date.fromisoformat(arg) if arg else today
    except ValueError:
        d = today
    if abs((d - today).days) > 800:
        d = today
    return d - timedelta(days=d.weekday())


def week_calendar(instrument: Instrument, week: str | None = None) -> dict:
    """The week grid of an instrument (free / busy / closed cells) for the calendar pages.

    `week` is any ISO date of the week asked for; unless one is asked for, a week that has nothing
    left to book (say, on a Friday) is skipped."""
    r = effective_rules(instrument)
    start = _week_start(week, utcnow() + timedelta(hours=r.lead_time_hours))
    for _i in range(1 if week else 2):
        lo = rules._to_utc(start, datetime.min.time())
        busy = busy_between(instrument.id, lo, lo + timedelta(days=7))
        days, rows = rules.week_grid(r, busy, start, utcnow())
        if any(state == "free" for _label, cells in rows for state, _s in cells):
            break
        start += timedelta(days=7)
    else:
        start -= timedelta(days=7)
    return {"days": days, "rows": rows, "week": start, "prev": start - timedelta(days=7),
            "next": start + timedelta(days=7), "rules": r}


def is_qualified(instrument: Instrument, user) -> bool:
    return db.session.get(Qualification, (instrument.id, user.id)) is not None


def provider_members(org_id: int) -> list[User]:
    return list(db.session.scalars(
        db.select(User).where(User.organisation_id == org_id, User.active.is_(True))
        .options(sa.orm.lazyload(User.role_rows))))


def link(endpoint, **values):
    try:
        return url_for(endpoint, **values)
    except RuntimeError:  # no request context (CLI): a relative path is still useful
        return None


def when(b: Booking) -> str:
    return f"{to_local(b.start):%Y-%m-%d %H:%M}–{to_local(b.end):%H:%M}"
