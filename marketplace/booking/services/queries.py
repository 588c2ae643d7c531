"""Lists for pages: my bookings, the provider's queue and its counts, by effective status.

An approved booking past its check-in window is listed (and counted) as a no-show and an undecided
request past it as rejected, before the scheduled sweep writes that (GET requests never write).
"""
from datetime import timedelta

import sqlalchemy as sa

from ...catalog.models import Instrument
from ...core.db import find
from ...core.timeutil import utcnow
from ...extensions import db
from .. import rules
from ..models import Booking
from .lookups import grace_minutes

# state shown -> (state stored that lapses into it past the check-in window)
_LAPSES_INTO = {"no_show": "approved", "rejected": "requested"}


def _status_filter(status: str, now=None):
    grace = (now or utcnow()) - timedelta(minutes=grace_minutes())
    if status in _LAPSES_INTO:
        return sa.or_(Booking.status == status,
                      sa.and_(Booking.status == _LAPSES_INTO[status], Booking.start <= grace))
    if status in _LAPSES_INTO.values():
        return sa.and_(Booking.status == status, Booking.start > grace)
    return Booking.status == status


def effective_status_column(now=None):
    grace = (now or utcnow()) - timedelta(minutes=grace_minutes())
    return sa.case(*[(sa.and_(Booking.status == stored, Booking.start <= grace), shown)
                     for shown, stored in _LAPSES_INTO.items()], else_=Booking.status)


# The views of "my bookings" besides a plain status: what needs attention first, then what is coming,
# then the past (the default, "all", lists them in that order).
VIEWS = ("to_pay", "upcoming", "past")


def _owes():
    """SQL twin of rules.owes: the booking organisation has to pay (or confirm a zero payable)."""
    return sa.or_(Booking.status == "completed",
                  sa.and_(Booking.status.in_(("cancelled", "no_show")), Booking.cancel_fee > 0,
                          Booking.cancel_fee_paid_at.is_(None)))


def _attention():
    """SQL twin of rules.needs_attention."""
    return sa.or_(_owes(), sa.and_(Booking.status == "completed", Booking.extension_status == "proposed"))


def _upcoming(now):
    grace = now - timedelta(minutes=grace_minutes())
    return sa.or_(Booking.status == "in_use",
                  sa.and_(Booking.status.in_(("requested", "approved")), Booking.start > grace))


def _mine(user):
    """Bookings the user made, and those of the user's organisation that it owes (a colleague may pay)."""
    if user.organisation_id is None:
        return Booking.user_id == user.id
    return sa.or_(Booking.user_id == user.id, sa.and_(Booking.org_id == user.organisation_id, _owes()))


def user_bookings(user, status=None, view=None, page=1, per_page=20, now=None):
    """The user's bookings: what needs attention (to pay, an extension to confirm) first, oldest first;
    then upcoming ones, soonest first; then the past, newest first. `view` narrows to one group,
    `status` to one (effective) status."""
    now = now or utcnow()
    q = db.select(Booking).where(_mine(user) if view == "to_pay" else Booking.user_id == user.id)
    if status:
        q = q.where(_status_filter(status, now))
    if view == "to_pay":
        q = q.where(_owes())
    elif view == "upcoming":
        q = q.where(_upcoming(now), sa.not_(_attention()))
    elif view == "past":
        q = q.where(sa.not_(_upcoming(now)), sa.not_(_attention()))
    group = sa.case((_attention(), 0), (_upcoming(now), 1), else_=2)
    # within a group: attention and upcoming soonest first, the past newest first (each CASE is NULL
    # outside its group, so NULL ordering never mixes groups)
    order = [group, sa.case((group < 2, Booking.start), else_=None).asc(), Booking.start.desc(), Booking.id.desc()]
    return db.paginate(q.order_by(*order), page=page, per_page=per_page, error_out=False)


def count_to_pay(user) -> int:
    """How many bookings the user (or the user's organisation) has to pay: the nav badge."""
    return db.session.scalar(db.select(sa.func.count()).select_from(Booking).where(_mine(user), _owes())) or 0


def provider_bookings(org_id, status=None, page=1, per_page=20, order_asc=True):
    # the queue shows who booked for which organisation: load them with the page, not per row
    q = (db.select(Booking).where(Booking.provider_org_id == org_id)
         .options(sa.orm.selectinload(Booking.user), sa.orm.selectinload(Booking.org)))
    if status:
        q = q.where(_status_filter(status))
    order = Booking.start.asc() if order_asc else Booking.start.desc()
    return db.paginate(q.order_by(order, Booking.id), page=page, per_page=per_page, error_out=False)


def provider_counts(org_id) -> dict[str, int]:
    shown = (db.select(effective_status_column().label("status"))
             .where(Booking.provider_org_id == org_id).subquery())
    rows = db.session.execute(db.select(shown.c.status, sa.func.count()).group_by(shown.c.status))
    return {status: n for status, n in rows}


def org_instruments(org_id):
    return list(db.session.scalars(db.select(Instrument).where(Instrument.owner_org_id == org_id)
                                   .order_by(Instrument.title)))


def just_created(user, booking_id) -> Booking | None:
    """The user's own booking `booking_id` (to lead "my bookings" after it was made), else None."""
    booking = find(Booking, booking_id)
    return booking if booking is not None and booking.user_id == user.id else None


def owes(booking: Booking) -> bool:
    return rules.owes(booking.status, booking.cancel_fee, booking.cancel_fee_paid_at is not None)
