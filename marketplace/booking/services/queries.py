"""Lists for pages: my bookings, the provider's queue and its counts, by effective status.

An approved booking past its check-in window is listed (and counted) as a no-show and an undecided
request past it as rejected, before the scheduled sweep writes that (GET requests never write).
"""
from datetime import timedelta

import sqlalchemy as sa

from ...catalog.models import Instrument
from ...core.timeutil import utcnow
from ...extensions import db
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


def user_bookings(user, status=None, page=1, per_page=20):
    q = db.select(Booking).where(Booking.user_id == user.id)
    if status:
        q = q.where(_status_filter(status))
    return db.paginate(q.order_by(Booking.start.desc(), Booking.id.desc()), page=page,
                       per_page=per_page, error_out=False)


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
