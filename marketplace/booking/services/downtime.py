"""Downtime (POST /instruments/ID/downtime): maintenance and incidents (故障) on an instrument.

The lab records maintenance or an incident; a user may report an incident, which waits for the lab's
confirmation. A recorded downtime is a Blackout (the calendar, the request rules and the census already
honour blackouts: the census counts it as unavailable time, not as idle time). Each active booking it
overlaps is told and offered a move to another free slot or a free cancellation (cancel_booking asks
`affected_by_downtime`).
"""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ...core.audit import record
from ...core.db import is_id
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.i18n import Message as _l
from ...core.jobs import enqueue
from ...core.permissions import require_login
from ...core.schema import Moment, note, validated
from ...core.timeutil import to_local, utcnow
from ...extensions import db
from ...notifications.services import notify
from .. import rules
from ..models import ACTIVE_STATUSES, EXCLUSION_CONSTRAINT, Blackout, Booking, Downtime
from ..states import DOWNTIME_KINDS, SEVERITIES
from .lookups import effective_rules, is_provider_member, link, notify_provider_staff, when

MAX_NOTE = 1000


def _open_end(start: datetime) -> datetime:
    return start + timedelta(days=current_app.config["BOOKING_DOWNTIME_OPEN_DAYS"])


def _validate(kind, severity, starts_at, ends_at, note, now) -> None:
    errors = {}
    if kind not in DOWNTIME_KINDS:
        errors["kind"] = [_("请选择维护保养或故障")]
    if severity is not None and severity not in SEVERITIES:
        errors["severity"] = [_("未知的严重程度")]
    if abs(starts_at - now) > timedelta(days=366):
        errors["starts_at"] = [_("开始时间应在一年之内")]
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = [_("结束时间必须晚于开始时间")]
    elif ends_at is not None and ends_at - starts_at > timedelta(days=366):
        errors["ends_at"] = [_("停机不超过一年；更长请下线仪器")]
    if not note:
        errors["note"] = [_("请填写说明")]
    if errors:
        raise Invalid(_("停机信息有误"), errors)


@validated
def record_downtime(instrument, *, actor, kind: str, starts_at: Moment, ends_at: Moment | None = None,
                    note: note(MAX_NOTE) = "", severity: str | None = None, now: Moment | None = None) -> Downtime:
    """The lab records maintenance or an incident (it blocks the calendar at once); a user who is not of
    the lab may report an incident only, which the lab confirms before it blocks anything."""
    require_login(actor)
    now = now or utcnow()
    _validate(kind, severity, starts_at, ends_at, note, now)
    staff = is_provider_member(instrument.owner_org_id, actor=actor)
    if not staff and kind != "incident":
        raise Forbidden(_("只有管理单位可以安排维护"))
    dt = Downtime(instrument_id=instrument.id, kind=kind, severity=severity if kind == "incident" else None,
                  note=note, starts_at=starts_at, ends_at=ends_at, reported_by_id=actor.id)
    db.session.add(dt)
    db.session.flush()
    record("downtime", dt.id, "reported" if not staff else "recorded", actor=actor, comment=note)
    if staff:
        _block(dt, instrument, actor=actor)
    else:
        enqueue(notify_provider_staff, instrument.owner_org_id, _l("用户报告故障：%(title)s", title=instrument.title),
                _l("%(name)s 报告：%(note)s", name=actor.name, note=note),
                link("booking.settings", instrument_id=instrument.id))
    return dt


def confirm_downtime(dt: Downtime, *, actor) -> Downtime:
    """The lab confirms an incident a user reported: from now on it blocks the calendar."""
    instrument = _instrument_of(dt, actor=actor)
    if dt.confirmed:
        raise Conflict(_("该故障已确认"))
    _block(dt, instrument, actor=actor)
    record("downtime", dt.id, "confirmed", actor=actor)
    return dt


@validated
def fix_downtime(dt: Downtime, *, actor, fixed_at: Moment | None = None, now: Moment | None = None) -> Downtime:
    """Back in service at `fixed_at` (default now): the block ends there and the page stops saying 维修中."""
    instrument = _instrument_of(dt, actor=actor)
    now = now or utcnow()
    fixed_at = fixed_at or now
    if dt.fixed_at is not None:
        raise Conflict(_("已修复"))
    if fixed_at <= dt.starts_at or fixed_at > now + timedelta(minutes=5):
        raise Invalid.field("fixed_at", _("修复时间应在开始之后、不晚于现在"))
    res = db.session.execute(sa.update(Downtime).where(Downtime.id == dt.id, Downtime.fixed_at.is_(None))
                             .values(fixed_at=fixed_at).execution_options(synchronize_session=False))
    if res.rowcount != 1:
        raise Conflict(_("已修复"))
    dt.fixed_at = fixed_at
    if dt.blackout is not None and dt.blackout.end > fixed_at:
        dt.blackout.end = fixed_at
    record("downtime", dt.id, "fixed", actor=actor, comment=to_local(fixed_at).strftime("%Y-%m-%d %H:%M"))
    db.session.flush()
    del instrument
    return dt


def _instrument_of(dt, *, actor):
    from ...core.permissions import require_member
    from .lookups import get_instrument
    instrument = get_instrument(dt.instrument_id, public=False)
    require_member(actor, instrument.owner_org_id)
    return instrument


def _block(dt: Downtime, instrument, *, actor):
    end = dt.ends_at or _open_end(dt.starts_at)
    label = DOWNTIME_KINDS[dt.kind]
    b = Blackout(instrument_id=instrument.id, start=dt.starts_at, end=end, reason=f"{label}：{dt.note}"[:200],
                 created_by_id=actor.id)
    db.session.add(b)
    db.session.flush()
    dt.blackout_id = b.id
    db.session.flush()
    for booking in affected_bookings(instrument.id, dt.starts_at, end):
        url = link("booking.detail", booking_id=booking.id)
        notify(booking.user, _l("仪器停机，请改期或免费取消：%(title)s", title=instrument.title),
               _l("%(title)s 在 %(when)s 期间%(kind)s（%(note)s）。您可以在预约页面改到其他空闲时段，或免费取消。",
                 title=instrument.title, when=when(booking), kind=label, note=dt.note), url)


def affected_bookings(instrument_id: int, start: datetime, end: datetime) -> list[Booking]:
    return list(db.session.scalars(sa.select(Booking).where(
        Booking.instrument_id == instrument_id, Booking.status.in_(("requested", "approved")),
        Booking.start < end, Booking.end > start).order_by(Booking.start)))


def downtime_over(booking) -> Downtime | None:
    """The recorded downtime that overlaps the booking's time, if any."""
    return db.session.scalar(sa.select(Downtime).join(Blackout, Blackout.id == Downtime.blackout_id).where(
        Downtime.instrument_id == booking.instrument_id, Blackout.start < booking.end,
        Blackout.end > booking.start).limit(1))


def affected_by_downtime(booking) -> bool:
    return booking.status in ("requested", "approved") and downtime_over(booking) is not None


def current_downtime(instrument_id: int, now: datetime | None = None) -> Downtime | None:
    """What the instrument page says: the recorded downtime in force now (维修中, expected back …)."""
    now = now or utcnow()
    return db.session.scalar(sa.select(Downtime).join(Blackout, Blackout.id == Downtime.blackout_id).where(
        Downtime.instrument_id == instrument_id, Blackout.start <= now, Blackout.end > now,
        Downtime.fixed_at.is_(None)).order_by(Blackout.end.desc()).limit(1))


def instrument_downtime(instrument_id: int, limit: int = 50) -> list[Downtime]:
    return list(db.session.scalars(sa.select(Downtime).where(Downtime.instrument_id == instrument_id)
                                   .order_by(Downtime.starts_at.desc()).limit(limit)))


def get_downtime(downtime_id) -> Downtime:
    dt = db.session.get(Downtime, downtime_id) if is_id(downtime_id) else None
    if dt is None:
        raise NotFound(_("停机记录不存在"))
    return dt


@validated
def move_booking(booking: Booking, start: Moment, *, actor, now: Moment | None = None) -> Booking:
    """The user moves a booking the downtime hit to another free slot of the same length (same price)."""
    require_login(actor)
    now = now or utcnow()
    if booking.user_id != actor.id:
        raise Forbidden(_("只能改期自己的预约"))
    if not affected_by_downtime(booking):
        raise Conflict(_("只有受停机影响的预约可以改期"))
    end = start + (booking.end - booking.start)
    from .lookups import get_instrument
    instrument = get_instrument(booking.instrument_id, public=False)
    errors = rules.validate_request(effective_rules(instrument), start, end, now, price_unit=booking.price_unit,
                                    samples=booking.samples)
    if errors:
        raise Invalid(_("新的时段不可预约"), {"start": [m for ms in errors.values() for m in ms]})
    if db.session.scalar(sa.select(Booking.id).where(
            Booking.instrument_id == instrument.id, Booking.id != booking.id, Booking.status.in_(ACTIVE_STATUSES),
            Booking.start < end, Booking.end > start).limit(1)) is not None:
        raise Conflict(_("该时段已被预约，请选择其他时间"))
    old = when(booking)
    try:
        with db.session.begin_nested():  # PostgreSQL: the exclusion constraint has the last word
            db.session.execute(sa.update(Booking).where(Booking.id == booking.id,
                                                        Booking.status.in_(ACTIVE_STATUSES))
                               .values(start=start, end=end).execution_options(synchronize_session=False))
    except IntegrityError as err:
        if EXCLUSION_CONSTRAINT in str(err.orig) or getattr(err.orig, "sqlstate", None) == "23P01":
            raise Conflict(_("该时段已被预约，请选择其他时间")) from None
        raise
    db.session.refresh(booking)
    record("booking", booking.id, "moved", actor=actor, comment=f"{old} → {when(booking)}")
    enqueue(notify_provider_staff, booking.provider_org_id, _l("预约已改期：%(title)s", title=instrument.title),
            _l("因停机，预约 #%(id)s 由 %(old)s 改到 %(new)s。", id=booking.id, old=old, new=when(booking)),
            link("booking.detail", booking_id=booking.id))
    return booking
