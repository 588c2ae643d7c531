"""The scheduled sweep (`flask booking mark-no-shows`, `send-reminders`): the only writer of no-shows.

Pages never write: they show an overdue booking's effective status (lookups.effective_status)
and leave the change to this sweep.
"""
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from ...core.i18n import Message as _l
from ...core.timeutil import utcnow
from ...extensions import db
from ...notifications.services import notify
from ...subsidy import services as subsidy
from .. import rules
from ..models import Booking
from ..states import MACHINE
from .lookups import link, when
from .transitions import reject_now


def _mark_no_show(booking, now):
    MACHINE.apply(booking, "no_show", actor=None, action="no_show", comment=_("开始后未签到"))
    booking.cancel_fee = rules.cancellation_fee(booking.fee, booking.start, now, 0,
                                                current_app.config["BOOKING_LATE_CANCEL_FEE_PERCENT"])
    db.session.flush()
    subsidy.release_user_subsidy(booking, actor=None, why=booking.status)
    notify(booking.user, _l("预约爽约：%(title)s", title=booking.instrument.title),
           _l("您预约的 %(title)s（%(when)s）开始后未签到，已记为爽约。", title=booking.instrument.title,
             when=when(booking)),
           link("booking.detail", booking_id=booking.id))


def overdue_query(now, **where):
    """Approved or requested bookings whose check-in window has passed (narrowed by Booking columns)."""
    grace = now - timedelta(minutes=current_app.config["BOOKING_NO_SHOW_MINUTES"])
    q = db.select(Booking).where(Booking.status.in_(("approved", "requested")), Booking.start <= grace)
    for name, value in where.items():
        if value is not None:
            q = q.where(getattr(Booking, name) == value)
    return q


def mark_no_shows(now=None, **where) -> int:
    """Approved bookings with no check-in after the grace period become no-shows; requests nobody
    decided on by then are rejected. `where` narrows by Booking column (user_id=, instrument_id=...)."""
    now = now or utcnow()
    count = 0
    for booking in db.session.scalars(overdue_query(now, **where).order_by(Booking.start)).all():
        if booking.status == "approved":
            _mark_no_show(booking, now)
        else:
            reject_now(booking, _("开始前未获审批，已自动失效"), actor=None, now=now)
        count += 1
    return count


def has_overdue(now=None, **where) -> bool:
    now = now or utcnow()
    return db.session.scalar(overdue_query(now, **where).with_only_columns(Booking.id).limit(1)) is not None


def send_reminders(now=None) -> int:
    """Remind users of approved bookings that start on the next local day. Idempotent."""
    now = now or utcnow()
    tomorrow = rules.local_date(now) + timedelta(days=1)
    lo = rules._to_utc(tomorrow, datetime.min.time())
    hi = lo + timedelta(days=1)
    count = 0
    for b in db.session.scalars(db.select(Booking).where(
            Booking.status == "approved", Booking.start >= lo, Booking.start < hi,
            Booking.reminded_at.is_(None))).all():
        notify(b.user, _l("明日预约提醒：%(title)s", title=b.instrument.title),
               _l("您预约的 %(title)s 将于 %(when)s 开始，地点：%(location)s。请准时签到，开始后 %(n)s 分钟未签到将记为爽约。",
                 title=b.instrument.title, when=when(b), location=getattr(b.instrument, "location", None) or "—",
                 n=current_app.config["BOOKING_NO_SHOW_MINUTES"]),
               link("booking.detail", booking_id=b.id))
        b.reminded_at = now
        count += 1
    db.session.flush()
    return count
