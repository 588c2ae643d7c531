"""The demo seeder's requests and events: every kind in every state of its machine, a dozen events."""
import random

import sqlalchemy as sa

from marketplace.events.demo import seed_events
from marketplace.events.models import Event, EventRegistration
from marketplace.extensions import db
from marketplace.requests.demo import seed_requests
from marketplace.requests.kinds import KINDS
from marketplace.requests.models import RequestCall, ServiceRequest


def test_every_kind_in_every_state(world, make_user):
    make_user(roles=("reviewer",), email="reviewer@demo.cn")
    make_user(org=world.company, email="company@demo.cn")
    n = seed_requests(random.Random(1))
    db.session.commit()
    assert n == sum(len(k.machine.states) for k in KINDS.values())
    for key, kind in KINDS.items():
        states = set(db.session.scalars(sa.select(ServiceRequest.status).where(ServiceRequest.kind == key)))
        assert states == set(kind.machine.states), key
    assert db.session.scalar(sa.select(sa.func.count(RequestCall.id))) == 4


def test_a_dozen_events_with_consistent_seats(world, make_user):
    make_user(roles=("reviewer",), email="reviewer@demo.cn")
    for i in range(20):
        make_user(email=f"guest{i}@demo.cn")
    assert seed_events(random.Random(2)) == 12
    db.session.commit()
    for event in db.session.scalars(sa.select(Event)):
        registered = db.session.scalar(sa.select(sa.func.count()).where(
            EventRegistration.event_id == event.id, EventRegistration.status == "registered"))
        assert registered == event.registered_count <= event.capacity
    assert db.session.scalar(sa.select(sa.func.count()).where(EventRegistration.status == "waitlisted")) > 0
