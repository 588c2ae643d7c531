"""Finding instruments and bookings, who may see them, the rules in force, free time, the week calendar."""
import functools
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _

from ...accounts.models import User
from ...catalog.models import MODELS, Instrument, Resource
from ...catalog.types import BOOKABLE_TYPES
from ...core.db import find, is_id
from ...core.errors import Invalid, NotFound
from ...core.permissions import require_login
from ...core.schema import LocalDay, Moment, validated
from ...core.timeutil import to_local, utcnow
from ...extensions import db
from .. import rules
from ..models import ACTIVE_STATUSES, Blackout, Booking, BookingSettings, Qualification

MAX_QUERY_DAYS = 92  # availability window asked of the API at once


def get_instrument(instrument_id, *, public: bool = True) -> Instrument:
    """A bookable resource (an instrument or a facility: catalog.types.BOOKABLE_TYPES) by id."""
    # platform rows are not needed for booking; skip their extra query
    inst = db.session.get(Resource, instrument_id, options=[sa.orm.lazyload(Resource.platform_rows),
                                                            sa.orm.lazyload(Resource.owner)]) \
        if is_id(instrument_id) else None
    if inst is None or inst.type not in BOOKABLE_TYPES or (public and inst.status != "published"):
        raise NotFound(_("仪器不存在"))
    return inst


def service_mode_of(resource) -> str:
    """How the resource is used: an instrument's declared service mode; a type that declares none (a
    facility) is used by the booker in person, billed like self-operated use (catalog.types)."""
    return getattr(resource, "service_mode", None) or "self_operated"


def needs_qualification(resource) -> bool:
    """Only self-operated instruments need a per-user qualification; a facility admits by approval."""
    return resource.type == "instrument" and resource.service_mode == "self_operated"


def takes_bookings(resource) -> bool:
    """Published, open for booking, and its rate card filled in (optional for facilities)."""
    return bool(resource.type in BOOKABLE_TYPES and resource.status == "published" and resource.bookable
                and resource.price_unit and resource.internal_price is not None
                and resource.external_price is not None)


def offline_reason(resource) -> str | None:
    """Why a bookable type cannot be booked online now, in words for its page; None when it can."""
    if takes_bookings(resource):
        return None
    if resource.status != "published":
        return _("尚未发布")
    if not resource.bookable:
        return _("管理单位暂未开放在线预约，请电话或邮件联系")
    return _("收费标准尚未填写完整，暂不能在线预约，请联系管理单位")


@functools.cache
def _booking_lookup() -> sa.Select:
    """The statement of get_instrument_for_booking, built once per process (its parameters are bound
    at execution): building it is most of the lookup's Python time on the booking hot path."""
    bookable = sa.orm.with_polymorphic(Resource, [MODELS[t] for t in BOOKABLE_TYPES])
    return (sa.select(bookable, BookingSettings, Blackout.start, Blackout.end, Blackout.reason)
            .outerjoin(BookingSettings, BookingSettings.instrument_id == bookable.id)
            .outerjoin(Blackout, sa.and_(Blackout.instrument_id == bookable.id, Blackout.end > sa.bindparam("now")))
            .where(bookable.id == sa.bindparam("id"), bookable.type.in_(BOOKABLE_TYPES))
            .options(sa.orm.lazyload(bookable.platform_rows), sa.orm.lazyload(bookable.owner),
                     sa.orm.joinedload(BookingSettings.opening_hours))
            .execution_options(populate_existing=True))


def get_instrument_for_booking(instrument_id) -> Instrument:
    """The bookable resource (instrument or facility) with its booking rules (settings, opening hours, blackouts still to come)
    loaded in one statement, for the booking request's hot path; effective_rules() reuses them."""
    if not is_id(instrument_id):
        raise NotFound(_("仪器不存在"))
    rows = db.session.execute(_booking_lookup(), {"id": instrument_id, "now": utcnow()}).unique().all()
    if not rows or rows[0][0].status != "published":
        raise NotFound(_("仪器不存在"))
    inst, settings = rows[0][0], rows[0][1]
    blackouts = sorted({(b_start, b_end, reason) for _i, _s, b_start, b_end, reason in rows if b_start is not None})
    inst._booking_rules = effective_rules(inst, settings, blackouts=tuple(blackouts), loaded=True)
    return inst


def is_provider_member(org_id, *, actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False)
                and (actor.is_member_of(org_id) or actor.has_role("admin")))


def can_view(booking: Booking, *, actor) -> bool:
    """Its user, members of the booking organisation (who may pay it), the provider's members, admins,
    and finance (statements and refunds link to the booking)."""
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and (
        booking.user_id == actor.id or actor.is_member_of(booking.org_id)
        or is_provider_member(booking.provider_org_id, actor=actor) or actor.has_role("finance")))


def get_booking(booking_id, *, actor) -> Booking:
    """The booking, if the actor may see it (see can_view); else 404, revealing nothing."""
    require_login(actor)
    booking = find(Booking, booking_id)
    if booking is None or not can_view(booking, actor=actor):
        raise NotFound(_("预约不存在"))
    return booking


def grace_minutes() -> int:
    return current_app.config["BOOKING_NO_SHOW_MINUTES"]


def effective_status(booking: Booking, now: datetime | None = None) -> str:
    """What the booking is now, worked out at read time: past the check-in window an approved
    booking shows as a no-show and an undecided request as lapsed, before the sweep writes it."""
    return rules.effective_status(booking.status, booking.start, now or utcnow(), grace_minutes())


def checkin_window(booking: Booking) -> rules.Interval:
    """[opens, closes) naive UTC: when the booking may be checked in to (see rules.checkin_window)."""
    cfg = current_app.config
    return rules.checkin_window(booking.start, booking.end, cfg["BOOKING_CHECKIN_EARLY_MINUTES"],
                                cfg["BOOKING_NO_SHOW_MINUTES"])


def local_moment(dt: datetime) -> str:
    """A moment as people read it, in Asia/Shanghai: 11月30日 08:45 / 11/30 08:45."""
    local = to_local(dt)
    return _("%(month)s月%(day)s日 %(time)s", month=local.month, day=local.day, time=local.strftime("%H:%M"))


def checkin_opens_message(booking: Booking) -> str:
    return _("签到于 %(when)s 开放", when=local_moment(checkin_window(booking)[0]))


def checkin_note(booking: Booking, now: datetime | None = None) -> str | None:
    """What the booking page says about check-in for an approved booking: when it opens, or until when."""
    if booking.status != "approved":
        return None
    now = now or utcnow()
    opens, closes = checkin_window(booking)
    if now < opens:
        return checkin_opens_message(booking)
    if now < closes:
        return _("签到开放中，%(when)s 截止", when=local_moment(closes))
    return None


def effective_rules(instrument: Instrument, settings: BookingSettings | None = None, *,
                    blackouts: tuple | None = None, loaded: bool = False) -> rules.Rules:
    """The rules in force for the instrument. `loaded=True`: settings (None = none stored) and
    blackouts were fetched by the caller (get_instrument_for_booking), so nothing is queried."""
    cfg = current_app.config
    if settings is None and not loaded:
        settings = db.session.get(BookingSettings, instrument.id)
    if settings is not None:
        weekly = tuple((h.weekday, h.opens, h.closes) for h in settings.opening_hours)
    else:
        weekly = _default_weekly(cfg["BOOKING_OPENING_HOURS"])
    if blackouts is None:
        blackouts = tuple(tuple(row) for row in db.session.execute(
            db.select(Blackout.start, Blackout.end, Blackout.reason)
            .where(Blackout.instrument_id == instrument.id, Blackout.end > utcnow()).order_by(Blackout.start)))

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
        assisted_percent=s.assisted_percent if s is not None else None,
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
    # sample submission is booked by day: which days of the week still take samples
    drop_off_days = {d for d in days
                     if any(state == "free" and to_local(s).date() == d for _l, cells in rows for state, s in cells)}
    return {"days": days, "rows": rows, "week": start, "prev": start - timedelta(days=7),
            "next": start + timedelta(days=7), "rules": r, "today": to_local(utcnow()).date(),
            "by_sample": instrument.price_unit == "sample", "drop_off_days": drop_off_days}


@validated
def drop_off_slot(instrument: Instrument, drop_off: LocalDay, now: Moment | None = None) -> rules.Interval:
    """The drop-off appointment of a sample-submission booking on the local day `drop_off`: see
    rules.drop_off_slot. Invalid, naming the field, when the day has no free time."""
    day = drop_off
    r = effective_rules(instrument)
    lo = rules._to_utc(day, datetime.min.time())
    span = rules.drop_off_slot(r, busy_between(instrument.id, lo, lo + timedelta(days=1)), day, now or utcnow())
    if span is None:
        raise Invalid.field("drop_off", _("该日不接收送样（未开放、已约满或不在可预约范围内），请换一天"))
    return span


def is_qualified(instrument: Instrument, user) -> bool:
    """The user holds a qualification on the instrument that has not expired (local date)."""
    q = db.session.get(Qualification, (instrument.id, user.id))
    return q is not None and (q.valid_until is None or q.valid_until >= to_local(utcnow()).date())


def may_self_operate(instrument, user) -> bool:
    """Needs no qualification, is qualified, or belongs to the managing unit."""
    return (not needs_qualification(instrument) or is_qualified(instrument, user)
            or user.is_member_of(instrument.owner_org_id))


def provider_members(org_id: int) -> list[User]:
    return list(db.session.scalars(
        db.select(User).where(User.organisation_id == org_id, User.active.is_(True))
        .options(sa.orm.lazyload(User.role_rows))))


def notify_provider_staff(org_id: int, subject: dict, body: dict, link: str | None = None) -> int:
    """The fan-out job: tell every active member of the managing unit (after the commit, off the request)."""
    from ...notifications.services import notify_many
    staff = provider_members(org_id)
    notify_many(staff, subject, body, link)
    return len(staff)


def link(endpoint, **values):
    try:
        return url_for(endpoint, **values)
    except RuntimeError:  # no request context (CLI): a relative path is still useful
        return None


def when(b: Booking) -> str:
    return f"{to_local(b.start):%Y-%m-%d %H:%M}–{to_local(b.end):%H:%M}"
