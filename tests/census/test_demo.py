"""The census demo: two years of usage so every chart has a shape, without touching the booking demo."""
import random

import sqlalchemy as sa

from marketplace.booking.models import Booking
from marketplace.census.demo import seed_census
from marketplace.census.models import SelfReport
from marketplace.census.services import report
from marketplace.core.timeutil import to_local, utcnow
from marketplace.extensions import db


def test_two_years_of_usage_in_every_month_and_city(app, world):
    created = seed_census(random.Random(7))
    db.session.commit()
    assert created > 500
    this_year = to_local(utcnow()).year
    last = report.dashboard(this_year - 1)
    assert sum(1 for m in last["months"] if m["used_hours"] > 0) == 12
    assert {r["key"] for r in last["by_city"] if r["used_hours"]} == {"南京", "苏州"}
    assert all(0 < r["share_rate"] < 1 for r in last["by_city"] if r["used_hours"])  # internal and external use
    assert report.dashboard(this_year)["total"]["used_hours"] > 0
    # only finished states: nothing that holds a time slot, so the booking demo is never in the way
    states = set(db.session.scalars(sa.select(Booking.status).distinct()))
    assert states <= {"completed", "settled", "cancelled", "no_show", "rejected"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SelfReport)) >= 1
