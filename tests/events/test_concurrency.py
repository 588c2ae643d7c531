"""30 people register at once for 10 seats: exactly 10 registered and 20 waitlisted, on SQLite and on
PostgreSQL (run with TEST_DATABASE_URL) — the conditional UPDATE of the seat counter decides, with the
CHECK (registered_count <= capacity) behind it."""

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.core.db import writing
from marketplace.events import services
from marketplace.events.models import Event, EventRegistration
from marketplace.extensions import db
from tests.races import race

N = 30

pytestmark = pytest.mark.slow




def tally(event_id):
    db.session.expire_all()
    rows = dict(db.session.execute(sa.select(EventRegistration.status, sa.func.count())
                                   .where(EventRegistration.event_id == event_id)
                                   .group_by(EventRegistration.status)).all())
    return rows, db.session.get(Event, event_id).registered_count


def test_thirty_service_calls_for_ten_seats(app, make_event, people):
    event_id = make_event(capacity=10).id
    user_ids = [u.id for u in people(N)]

    def register(i):
        with writing():
            reg = services.register(db.session.get(Event, event_id), actor=db.session.get(User, user_ids[i]))
            db.session.commit()
            return reg.status

    results = race(app, N, register)
    assert sorted(results) == ["registered"] * 10 + ["waitlisted"] * 20, results
    assert tally(event_id) == ({"registered": 10, "waitlisted": 20}, 10)


def test_thirty_api_clients_for_ten_seats(app, make_event, people, api_token):
    event_id = make_event(capacity=10).id
    headers = [api_token(u) for u in people(N)]

    def post(i):
        resp = app.test_client().post(f"/api/v1/events/{event_id}/register", headers=headers[i])
        return resp.status_code, resp.get_json()["status"]

    results = race(app, N, post)
    assert sorted(results) == [(200, "registered")] * 10 + [(200, "waitlisted")] * 20, results
    assert tally(event_id) == ({"registered": 10, "waitlisted": 20}, 10)


def test_the_database_refuses_an_eleventh_seat(app, make_event):
    event = make_event(capacity=10)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Event).where(Event.id == event.id).values(registered_count=11))
        db.session.flush()
    db.session.rollback()


def test_double_clicks_register_once_and_free_one_seat(app, make_event, people):
    """Each of 3 people registers 10 times at once for 2 seats, then cancels 10 times at once."""
    event_id = make_event(capacity=2).id
    user_ids = [u.id for u in people(3)]

    def register(i):
        with writing():
            reg = services.register(db.session.get(Event, event_id), actor=db.session.get(User, user_ids[i % 3]))
            db.session.commit()
            return reg.status

    race(app, N, register)
    rows, seats = tally(event_id)
    assert rows == {"registered": 2, "waitlisted": 1} and seats == 2
    first = db.session.scalar(sa.select(EventRegistration.user_id).where(
        EventRegistration.event_id == event_id, EventRegistration.status == "registered")
        .order_by(EventRegistration.queued_at, EventRegistration.id).limit(1))

    def cancel(i):
        with writing():
            try:
                services.unregister(db.session.get(Event, event_id), actor=db.session.get(User, first))
                db.session.commit()
                return "cancelled"
            except Exception as err:  # noqa: BLE001
                db.session.rollback()
                return type(err).__name__

    results = race(app, N, cancel)
    assert results.count("cancelled") == 1, results
    assert tally(event_id) == ({"registered": 2, "cancelled": 1}, 2)
