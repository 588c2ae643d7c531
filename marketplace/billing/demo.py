"""Demo bills: close every finished month of the demo's owed bookings, as the scheduler would have
(the demo company then sees its bills, with what it owes and what is overdue), and mark overdue ones."""
import sqlalchemy as sa

from ..booking.models import Booking
from ..core.timeutil import to_local
from ..extensions import db
from . import rules
from .services.bills import close_month, owed_since, today_local
from .services.sweeps import mark_overdue


def seed_bills(rng=None) -> int:
    earliest = db.session.scalar(sa.select(sa.func.min(owed_since())).where(
        Booking.status.in_(("completed", "cancelled", "no_show"))))
    if earliest is None:
        return 0
    month = to_local(earliest).date().replace(day=1)
    last = rules.previous_month(today_local())
    made = 0
    while month <= last:
        made += len(close_month(rules.month_label(month)).bills)
        month = rules.next_month(month)
    mark_overdue()
    return made
