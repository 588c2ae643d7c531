"""The demo seeder's bookings: every state, no overlaps."""
import random

from marketplace.booking.demo import seed_bookings
from marketplace.booking.models import Booking
from marketplace.extensions import db
from tests.booking.test_concurrency import active_overlaps


def test_seed_bookings_spread(app, make_org, make_user, make_resource):
    lab = make_org()
    companies = [make_org(kind="enterprise", name=f"企业{i}") for i in range(3)]
    users = [make_user(org=c) for c in companies] + [make_user(org=lab, email="lab@demo.cn")]
    insts = [make_resource("instrument", lab, title=f"仪器{i}") for i in range(12)]
    items = [{"id": i.id, "owner_org_id": lab.id, "bookable": True} for i in insts]
    n = seed_bookings(random.Random(1), items, [{"id": c.id} for c in companies], users)
    db.session.commit()
    assert n > 50
    states = set(db.session.scalars(db.select(Booking.status).distinct()))
    assert {"requested", "approved", "rejected", "completed", "settled", "cancelled", "no_show"} <= states
    assert active_overlaps() == 0
