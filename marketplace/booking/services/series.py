"""Weekly recurring bookings (POST /bookings/series): one request, checked slot by slot, approved or
cancelled together.

Every slot goes through request_booking (the rules, the qualification, the price, and the overlap the
database arbitrates), so a series and a single booking racing for one slot end with exactly one holder;
a slot that fails is listed with its reason and the others stand. Nothing is created when no slot can be.
"""
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core.audit import record
from ...core.db import is_id
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.i18n import Message as _l
from ...core.jobs import enqueue
from ...core.permissions import require_login
from ...core.schema import Count, LocalDay, Moment, note, validated
from ...core.timeutil import to_local, utcnow
from ...extensions import db
from .. import rules
from ..models import Booking, BookingSeries
from .lookups import effective_rules, is_provider_member, link, notify_provider_staff
from .requests import request_booking

MAX_SLOTS = 60


def _local_week_steps(start: datetime, end: datetime, until: date):
    """(start, end) naive UTC of the same local weekday and time every week until `until` (inclusive)."""
    local_start, length = to_local(start), end - start
    k = 0
    while True:
        day = local_start.date() + timedelta(weeks=k)
        if day > until or k >= MAX_SLOTS:
            return
        s = rules._to_utc(day, local_start.time())
        yield s, s + length
        k += 1


@validated
def request_series(instrument, start: Moment, end: Moment, weekly_until: LocalDay, purpose: note(500) = "", *,
                   actor, samples: Count | None = None, assisted: bool = False, now: Moment | None = None):
    """Request [start, end) every week until `weekly_until` (a local date, within the booking horizon).
    Returns (series, created bookings, failed [{start, reason}]); Conflict listing the failures when no
    slot could be booked."""
    require_login(actor)
    now = now or utcnow()
    if end <= start:
        raise Invalid.field("end", _("结束时间必须晚于开始时间"))
    horizon = to_local(now).date() + timedelta(days=effective_rules(instrument).horizon_days)
    if weekly_until < to_local(start).date() + timedelta(weeks=1):
        raise Invalid.field("weekly_until", _("重复截止日期应至少在第一次之后一周"))
    if weekly_until > horizon:
        raise Invalid.field("weekly_until", _("重复截止日期不能晚于可预约范围（%(d)s）", d=horizon))
    purpose = purpose or _("每周例行使用")
    series = BookingSeries(instrument_id=instrument.id, user_id=actor.id, provider_org_id=instrument.owner_org_id,
                           weekly_until=weekly_until)
    db.session.add(series)
    db.session.flush()
    created, failed = [], []
    for s, e in _local_week_steps(start, end, weekly_until):
        try:
            with db.session.begin_nested():  # a failed slot leaves the others (and the series) standing
                created.append(request_booking(instrument, s, e, purpose, actor=actor, samples=samples, now=now,
                                               assisted=assisted, series_id=series.id))
        except (Forbidden, Invalid, Conflict) as err:
            if err.status == Forbidden.status and not created and not failed:
                raise  # not allowed at all (qualification, no organisation): say so, not slot by slot
            detail = "；".join(m for ms in err.errors.values() for m in ms) or err.detail
            failed.append({"start": s, "reason": detail})
    if not created:
        raise Conflict(_("没有可预约的时段"), {"weekly_until": [f"{to_local(f['start']):%Y-%m-%d %H:%M} {f['reason']}"
                                                       for f in failed]})
    record("booking_series", series.id, "requested", actor=actor, comment=f"{len(created)} / {len(created) + len(failed)}")
    enqueue(notify_provider_staff, instrument.owner_org_id, _l("新的周期预约：%(title)s", title=instrument.title),
            _l("%(name)s 申请每周预约 %(title)s，共 %(n)s 次（%(failed)s 次时段冲突未能预约）。", name=actor.name,
              title=instrument.title, n=len(created), failed=len(failed)),
            link("booking.series_detail", series_id=series.id))
    return series, created, failed


def get_series(series_id, *, actor) -> BookingSeries:
    require_login(actor)
    series = db.session.get(BookingSeries, series_id) if is_id(series_id) else None
    if series is None or not (series.user_id == actor.id or actor.has_role("admin")
                              or is_provider_member(series.provider_org_id, actor=actor)):
        raise NotFound(_("周期预约不存在"))
    return series


def series_bookings(series: BookingSeries) -> list[Booking]:
    return list(db.session.scalars(sa.select(Booking).where(Booking.series_id == series.id).order_by(Booking.start)))


def approve_series(series: BookingSeries, *, actor, now: datetime | None = None) -> int:
    """Approve every slot still waiting (not yet begun) together; returns how many."""
    from .transitions import approve_booking
    now = now or utcnow()
    count = 0
    for b in series_bookings(series):
        if b.status == "requested" and b.start > now:
            approve_booking(b, actor=actor, now=now)
            count += 1
    record("booking_series", series.id, "approved", actor=actor, comment=str(count))
    return count


def cancel_series(series: BookingSeries, reason: str | None = None, *, actor, now: datetime | None = None) -> int:
    """Cancel every slot not yet begun (the user: with the usual fees; the lab: free); returns how many."""
    from .transitions import cancel_booking
    now = now or utcnow()
    count = 0
    for b in series_bookings(series):
        if b.status in ("requested", "approved") and b.start > now:
            cancel_booking(b, reason, actor=actor, now=now)
            count += 1
    record("booking_series", series.id, "cancelled", actor=actor, comment=reason or str(count))
    return count
