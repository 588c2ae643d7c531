"""Event operations: publish, register (waitlist when full), unregister (promote the first waiting),
check in, export. Each takes the actor, checks permission, flushes; the caller commits.

Seats are taken by one conditional UPDATE of the event's counter, so the database decides who gets the
last seat: on PostgreSQL the row lock of the UPDATE serialises racing registrations, on SQLite the
write transaction (BEGIN IMMEDIATE) does; the CHECK (registered_count <= capacity) is the backstop.
"""
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _

from ..core.db import find
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.i18n import Message as _l
from ..core.permissions import require_login
from ..core.timeutil import utcnow
from ..extensions import db
from ..notifications.services import notify
from . import rules
from .models import Event, EventRegistration
from .states import EVENT_KINDS, REGISTRATION


def is_staff(*, actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.has_role("reviewer"))


def require_staff(*, actor):
    require_login(actor)
    if not is_staff(actor=actor):
        raise Forbidden(_("只有平台工作人员可以操作"))
    return actor


# -- events ----------------------------------------------------------------------------------------

def get_event(event_id) -> Event:
    event = find(Event, event_id)
    if event is None:
        raise NotFound(_("活动不存在"))
    return event


def upcoming(*, platform: str | None = None, limit: int = 20, include_past: bool = False):
    q = sa.select(Event).where(Event.status == "published")
    if not include_past:
        q = q.where(Event.ends_at >= utcnow())
    if platform:
        q = q.where(sa.or_(Event.platform == platform, Event.platform.is_(None)))
    order = Event.starts_at if not include_past else Event.starts_at.desc()
    return db.session.scalars(q.order_by(order, Event.id).limit(limit)).all()


def create_event(*, actor, title, kind, starts_at, ends_at, city, venue, capacity, registration_deadline,
                 description="", platform=None, now=None) -> Event:
    """Staff publish an event (times naive UTC)."""
    require_staff(actor=actor)
    if kind not in EVENT_KINDS:
        raise Invalid.field("kind", _("不是可选的值"))
    from ..core.reference import CITIES
    if city not in CITIES:
        raise Invalid.field("city", _("请选择江苏省的城市"))
    errors = rules.event_errors(starts_at=starts_at, ends_at=ends_at, registration_deadline=registration_deadline,
                                capacity=capacity, now=now or utcnow())
    if errors:
        first = next(iter(errors.values()))
        raise Invalid(str(first), {k: [str(v)] for k, v in errors.items()})
    event = Event(title=title, kind=kind, starts_at=starts_at, ends_at=ends_at, city=city, venue=venue,
                  capacity=capacity, registration_deadline=registration_deadline, description=description or "",
                  platform=platform, created_by_id=actor.id, registered_count=0)
    db.session.add(event)
    db.session.flush()
    return event


def counts(event: Event) -> dict:
    rows = dict(db.session.execute(
        sa.select(EventRegistration.status, sa.func.count()).where(EventRegistration.event_id == event.id)
        .group_by(EventRegistration.status)).all())
    return {"registered": rows.get("registered", 0), "waitlisted": rows.get("waitlisted", 0)}


# -- registrations ---------------------------------------------------------------------------------

def registration_of(event: Event, user) -> EventRegistration | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(sa.select(EventRegistration).where(
        EventRegistration.event_id == event.id, EventRegistration.user_id == user.id)
        .execution_options(populate_existing=True))  # fresh after _lock_event, not the identity map's copy


def _lock_event(event_id: int):
    """Serialise the registration changes of one event (PostgreSQL row lock; SQLite's write transaction
    already does): a double click cannot register twice, a double cancel cannot free two seats."""
    db.session.execute(sa.select(Event.id).where(Event.id == event_id).with_for_update())


def _take_seat(event_id: int) -> bool:
    """Atomically take one seat if one is free; True when taken."""
    result = db.session.execute(
        sa.update(Event).where(Event.id == event_id, Event.registered_count < Event.capacity)
        .values(registered_count=Event.registered_count + 1).execution_options(synchronize_session=False))
    return result.rowcount == 1


def register(event: Event, *, actor, now=None) -> EventRegistration:
    """Register the actor: a seat if one is free, else the waitlist. Registering twice is harmless."""
    require_login(actor)
    now = now or utcnow()
    closed = rules.registration_closed(status=event.status, registration_deadline=event.registration_deadline,
                                       now=now)
    if closed:
        raise Invalid.field("registration_deadline", str(closed))
    _lock_event(event.id)
    reg = registration_of(event, actor)
    if reg is not None and reg.status in ("registered", "waitlisted"):
        return reg
    status = "registered" if _take_seat(event.id) else "waitlisted"
    if reg is None:
        reg = EventRegistration(event_id=event.id, user_id=actor.id, status=status, code=_new_code(),
                                queued_at=now)
        db.session.add(reg)
    else:
        REGISTRATION.apply(reg, status, actor=actor, action="register")
        reg.queued_at, reg.cancelled_at = now, None
    db.session.flush()
    db.session.expire(event, ["registered_count"])
    link = _link(event)
    if status == "registered":
        notify(actor, _l("报名成功：%(title)s", title=event.title), _l("签到码：%(code)s", code=reg.code), link)
    else:
        notify(actor, _l("已进入候补：%(title)s", title=event.title), _l("有人取消时将按顺序递补并通知您。"), link)
    return reg


def unregister(event: Event, *, actor, now=None) -> EventRegistration:
    """Cancel the actor's registration; a freed seat goes to the first on the waitlist, who is told."""
    require_login(actor)
    _lock_event(event.id)
    reg = registration_of(event, actor)
    if reg is None or reg.status == "cancelled":
        raise NotFound(_("您没有报名此活动"))
    if reg.checked_in_at is not None:
        raise Conflict(_("已签到，不能取消报名"))
    was_registered = reg.status == "registered"
    if was_registered:
        db.session.execute(sa.update(Event).where(Event.id == event.id)
                           .values(registered_count=Event.registered_count - 1)
                           .execution_options(synchronize_session=False))
    REGISTRATION.apply(reg, "cancelled", actor=actor, action="unregister")
    reg.cancelled_at = now or utcnow()
    db.session.flush()
    if was_registered:
        promote_waiting(event)
    db.session.expire(event, ["registered_count"])
    return reg


def promote_waiting(event: Event) -> EventRegistration | None:
    """Give a free seat to the first waiting person (by queue time) and notify them."""
    first = db.session.scalar(
        sa.select(EventRegistration).where(EventRegistration.event_id == event.id,
                                           EventRegistration.status == "waitlisted")
        .order_by(EventRegistration.queued_at, EventRegistration.id).limit(1))
    if first is None or not _take_seat(event.id):
        return None
    REGISTRATION.apply(first, "registered", actor=None, action="promote")
    db.session.flush()
    notify(first.user, _l("候补转正：%(title)s", title=event.title),
           _l("有人取消报名，您已递补为正式参会。签到码：%(code)s", code=first.code),
           _link(event))
    return first


def check_in(event: Event, code: str, *, actor, now=None) -> EventRegistration:
    """Staff scan or type a registration's code on the day."""
    require_staff(actor=actor)
    now = now or utcnow()
    code = (code or "").strip().upper()
    reg = db.session.scalar(sa.select(EventRegistration).where(EventRegistration.code == code,
                                                               EventRegistration.event_id == event.id))
    if reg is None:
        raise Invalid.field("code", _("签到码无效"))
    if reg.status != "registered":
        raise Invalid.field("code", _("该报名未确认（候补或已取消），不能签到"))
    if not rules.can_check_in(starts_at=event.starts_at, ends_at=event.ends_at, now=now):
        raise Invalid.field("code", _("不在签到时间内"))
    if reg.checked_in_at is None:
        reg.checked_in_at = now
        db.session.flush()
    return reg


def attendance(event: Event, *, actor) -> list[EventRegistration]:
    require_staff(actor=actor)
    return db.session.scalars(sa.select(EventRegistration).where(EventRegistration.event_id == event.id)
                              .order_by(EventRegistration.status, EventRegistration.queued_at,
                                        EventRegistration.id)).all()


def my_registrations(*, actor) -> list[EventRegistration]:
    require_login(actor)
    return db.session.scalars(sa.select(EventRegistration).where(EventRegistration.user_id == actor.id)
                              .order_by(EventRegistration.created_at.desc())).all()


def _link(event) -> str:
    return f"/events/{event.id}/registration"  # a path: services also run outside requests


def _new_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read out and type
    return "".join(secrets.choice(alphabet) for _ in range(8))
