"""Usage capture (POST /instruments/ID/sessions with the instrument's token): the instrument's PC reports
when a session starts and stops. A start within a booking's check-in window checks the booking in (a
conditional move: a person checking in at the same moment is the same move, made once); a stop prefills
the booking's usage record, and a difference from the booked time over 15 minutes is flagged to the lab.
Unknown tokens, another instrument's token, overlapping or absurd sessions are refused and nothing is kept.
"""
import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Annotated

import sqlalchemy as sa
from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy.exc import IntegrityError

from ...core.audit import record
from ...core.errors import Conflict, Forbidden, Invalid
from ...core.i18n import Message as _l
from ...core.jobs import enqueue
from ...core.permissions import require_member
from ...core.schema import conform
from ...core.timeutil import utcnow
from ...extensions import db
from ..models import Booking, InstrumentSession, InstrumentToken
from ..states import MACHINE
from .lookups import checkin_window, link, notify_provider_staff, when
from .transitions import when_local

PREFIX = "inst_"
FLAG_AFTER = timedelta(minutes=15)
MAX_SESSION = timedelta(hours=24)
MAX_AGE = timedelta(days=7)
CLOCK_SKEW = timedelta(minutes=5)


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# what an instrument PC's bearer token looks like (regenerate_instrument_token); anything else is not one
InstrumentSecret = Annotated[str, Field(strict=True, max_length=100, pattern=f"^{PREFIX}[A-Za-z0-9_-]+$")]


def is_instrument_token(secret: str) -> bool:
    return conform(InstrumentSecret, secret) is not None


def regenerate_instrument_token(instrument, *, actor) -> str:
    """A new secret for the instrument's PC (the old one stops working); shown once."""
    require_member(actor, instrument.owner_org_id)
    secret = PREFIX + secrets.token_urlsafe(32)
    row = db.session.get(InstrumentToken, instrument.id)
    if row is None:
        db.session.add(InstrumentToken(instrument_id=instrument.id, token_hash=_sha256(secret),
                                       created_by_id=actor.id))
    else:
        row.token_hash, row.created_by_id, row.created_at = _sha256(secret), actor.id, utcnow()
    record("instrument_token", instrument.id, "regenerated", actor=actor)
    db.session.flush()
    return secret


def has_instrument_token(instrument_id: int) -> bool:
    return db.session.get(InstrumentToken, instrument_id) is not None


def instrument_for_token(secret: str) -> int | None:
    if not is_instrument_token(secret):
        return None
    return db.session.scalar(sa.select(InstrumentToken.instrument_id).where(
        InstrumentToken.token_hash == _sha256(secret)))


def _booking_at(instrument_id: int, moment: datetime) -> Booking | None:
    """The approved or in-use booking the moment falls in (from its check-in window to its end)."""
    for b in db.session.scalars(sa.select(Booking).where(
            Booking.instrument_id == instrument_id, Booking.status.in_(("approved", "in_use")),
            Booking.start - timedelta(hours=1) <= moment, Booking.end > moment).order_by(Booking.start)):
        opens, _closes = checkin_window(b)
        if opens <= moment:
            return b
    return None


def report_session(instrument, token_instrument_id: int | None, *, started_at: datetime,
                   ended_at: datetime | None = None, now: datetime | None = None) -> InstrumentSession:
    if token_instrument_id is None:
        raise Forbidden(_("需要该仪器的数据采集令牌"))
    if token_instrument_id != instrument.id:
        raise Forbidden(_("该令牌不属于这台仪器"))
    now = now or utcnow()
    errors = {}
    if started_at > now + CLOCK_SKEW:
        errors["started_at"] = [_("开始时间不能在将来")]
    elif started_at < now - MAX_AGE:
        errors["started_at"] = [_("只接受 7 天内的使用记录")]
    if ended_at is not None:
        if ended_at <= started_at:
            errors["ended_at"] = [_("结束时间必须晚于开始时间")]
        elif ended_at > now + CLOCK_SKEW:
            errors["ended_at"] = [_("结束时间不能在将来")]
        elif ended_at - started_at > MAX_SESSION:
            errors["ended_at"] = [_("单次使用不超过 24 小时")]
    if errors:
        raise Invalid(_("使用记录有误"), errors)
    # lock the instrument's sessions: a start and a stop (or two PCs) reported at once are taken in turn
    db.session.execute(sa.select(InstrumentToken.instrument_id).where(
        InstrumentToken.instrument_id == instrument.id).with_for_update())
    open_session = db.session.scalar(sa.select(InstrumentSession).where(
        InstrumentSession.instrument_id == instrument.id, InstrumentSession.ended_at.is_(None)))
    if open_session is not None and ended_at is not None and open_session.started_at == started_at:
        return _close(open_session, ended_at)  # the stop of the session that is running
    if open_session is not None:
        raise Conflict(_("该仪器已有一个未结束的使用记录（开始于 %(t)s）", t=when_local(open_session.started_at)))
    overlapping = db.session.scalar(sa.select(InstrumentSession.id).where(
        InstrumentSession.instrument_id == instrument.id, InstrumentSession.started_at < (ended_at or now + MAX_SESSION),
        InstrumentSession.ended_at > started_at).limit(1))
    if overlapping is not None:
        raise Conflict(_("与已记录的使用时段重叠"))
    booking = _booking_at(instrument.id, started_at)
    session = InstrumentSession(instrument_id=instrument.id, started_at=started_at,
                                booking_id=booking.id if booking is not None else None)
    try:
        with db.session.begin_nested():
            db.session.add(session)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("该仪器已有一个未结束的使用记录")) from None
    if booking is not None and booking.status == "approved":
        # the instrument's own check-in; a person who checked in first already made this move
        if MACHINE.move(Booking, booking.id, "in_use", only_from=("approved",), action="check_in",
                        comment=_("仪器上报开始使用"), actual_start=max(started_at, booking.start)):
            db.session.refresh(booking)
    if ended_at is not None:
        return _close(session, ended_at)
    return session


def _close(session: InstrumentSession, ended_at: datetime) -> InstrumentSession:
    session.ended_at = ended_at
    db.session.flush()
    booking = db.session.get(Booking, session.booking_id) if session.booking_id else None
    if booking is None:
        return session
    if abs(session.started_at - booking.start) > FLAG_AFTER or abs(ended_at - booking.end) > FLAG_AFTER:
        session.flagged = True
        db.session.flush()
        enqueue(notify_provider_staff, booking.provider_org_id,
                _l("仪器记录的使用与预约相差超过 15 分钟：预约 #%(id)s", id=booking.id),
                _l("预约时间 %(booked)s；仪器记录 %(start)s – %(end)s。请核对使用记录。", booked=when(booking),
                  start=when_local(session.started_at), end=when_local(ended_at)),
                link("booking.detail", booking_id=booking.id))
    return session


def captured_usage(booking) -> InstrumentSession | None:
    """The instrument's record of the booking (the first closed session), to prefill its usage record."""
    return db.session.scalar(sa.select(InstrumentSession).where(
        InstrumentSession.booking_id == booking.id, InstrumentSession.ended_at.is_not(None))
        .order_by(InstrumentSession.started_at).limit(1))
