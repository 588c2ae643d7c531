"""The booking request's own lookup of what it books: one Core statement, no ORM object.

The API's POST /bookings (the platform's busiest write) reads a dozen columns of the resource and its
booking rules; loading them as a polymorphic ORM instance with its settings and opening hours was a
fifth of the request's Python time. Pages keep get_instrument_for_booking (lookups), whose instance
their templates read."""
import functools
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from ...catalog.models import MODELS, Resource
from ...catalog.types import BOOKABLE_TYPES
from ...core.db import is_id
from ...core.errors import NotFound
from ...core.timeutil import utcnow
from ...extensions import db
from ..models import Blackout, BookingSettings, OpeningHours
from .lookups import effective_rules


@dataclass
class BookingTarget:
    """What a booking request reads of a bookable resource (an instrument or a facility)."""
    id: int
    type: str
    title: str
    status: str
    owner_org_id: int
    bookable: bool
    price_unit: str | None
    internal_price: int | None
    external_price: int | None
    service_mode: str | None


@dataclass
class _Settings:
    lead_time_hours: int | None
    horizon_days: int | None
    min_minutes: int | None
    max_minutes: int | None
    requires_approval: bool
    assisted_percent: int | None
    opening_hours: list


@dataclass
class _Hours:
    weekday: int
    opens: object
    closes: object


SETTINGS = ("lead_time_hours", "horizon_days", "min_minutes", "max_minutes", "requires_approval", "assisted_percent")


@functools.cache
def _lookup() -> sa.Select:
    """The statement, built once per process; the resource's row with its settings, each opening-hours
    row and each blackout still to come (one row per combination)."""
    res, settings = Resource.__table__, BookingSettings.__table__
    hours, blackouts = OpeningHours.__table__, Blackout.__table__
    subs = [MODELS[t].__table__ for t in BOOKABLE_TYPES]

    def first(name):  # the column of whichever type's table the row has
        cols = [t.c[name] for t in subs if name in t.c]
        return (sa.func.coalesce(*cols) if len(cols) > 1 else cols[0]).label(name)

    joined = res
    for t in subs:
        joined = joined.outerjoin(t, t.c.id == res.c.id)
    joined = (joined.outerjoin(settings, settings.c.instrument_id == res.c.id)
              .outerjoin(hours, hours.c.instrument_id == settings.c.instrument_id)
              .outerjoin(blackouts, sa.and_(blackouts.c.instrument_id == res.c.id,
                                            blackouts.c.end > sa.bindparam("now", type_=sa.DateTime))))
    return (sa.select(res.c.id, res.c.type, res.c.title, res.c.status, res.c.owner_org_id,
                      *[first(n) for n in ("bookable", "price_unit", "internal_price", "external_price",
                                           "service_mode")],
                      settings.c.instrument_id.label("settings_of"), *[settings.c[n] for n in SETTINGS],
                      hours.c.weekday, hours.c.opens, hours.c.closes,
                      blackouts.c.start.label("b_start"), blackouts.c.end.label("b_end"), blackouts.c.reason)
            .select_from(joined)
            .where(res.c.id == sa.bindparam("id", type_=sa.Integer), res.c.type.in_(BOOKABLE_TYPES)))


def booking_target(instrument_id) -> BookingTarget:
    """The published bookable resource `instrument_id` with its booking rules (effective_rules, kept for
    the request's check), in one statement; NotFound otherwise."""
    if not is_id(instrument_id):
        raise NotFound(_("仪器不存在"))
    rows = db.session.execute(_lookup(), {"id": instrument_id, "now": utcnow()}).all()
    if not rows or rows[0].status != "published":
        raise NotFound(_("仪器不存在"))
    top = rows[0]
    target = BookingTarget(**{f: getattr(top, f) for f in BookingTarget.__dataclass_fields__})
    settings = None
    if top.settings_of is not None:
        hours = sorted({(r.weekday, r.opens, r.closes) for r in rows if r.weekday is not None})
        settings = _Settings(**{n: getattr(top, n) for n in SETTINGS},
                             opening_hours=[_Hours(*h) for h in hours])
    blackouts = tuple(sorted({(r.b_start, r.b_end, r.reason) for r in rows if r.b_start is not None}))
    target._booking_rules = effective_rules(target, settings, blackouts=blackouts, loaded=True)
    return target
