"""The booking request's hot path: SQL statements per POST /api/v1/bookings, notifications out of it."""
import contextlib

import pytest
import sqlalchemy as sa

from marketplace.extensions import db

from .conftest import iso, slot


@contextlib.contextmanager
def count_statements():
    """Every statement the app sends to the database while the block runs (all connections)."""
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split())[:110])

    def commit(conn):
        seen.append("COMMIT")

    sa.event.listen(db.engine, "before_cursor_execute", before)
    sa.event.listen(db.engine, "commit", commit)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
        sa.event.remove(db.engine, "commit", commit)


def _book(client, headers, instrument_id, day=0):
    s, e = slot(day_offset=day, hh=9)
    return client.post("/api/v1/bookings", headers=headers,
                       json={"instrument_id": instrument_id, "start": iso(s), "end": iso(e), "purpose": "测试"})


@pytest.mark.parametrize("approval", [True, False], ids=["needs-approval", "auto-approved"])
def test_statements_per_booking(app, client, api_token, instrument, company_user, lab_user, make_user, lab,
                                approval):
    from datetime import time

    from marketplace.booking.models import Blackout, BookingSettings, OpeningHours
    make_user(org=lab, email="lab2@test.cn")
    settings = BookingSettings(instrument_id=instrument.id, requires_approval=approval)
    settings.opening_hours = [OpeningHours(weekday=d, opens=time(8), closes=time(18)) for d in range(5)]
    start, _end = slot(day_offset=4, hh=9)
    db.session.add_all([settings, Blackout(instrument_id=instrument.id, start=start, end=start.replace(hour=23),
                                           reason="维护")])
    db.session.commit()
    headers, instrument_id = api_token(company_user), instrument.id
    assert _book(client, headers, instrument_id, day=0).status_code == 201  # warm caches (first request)
    db.session.expunge_all()  # as in production, the request starts with nothing loaded
    with count_statements() as seen:
        resp = _book(client, headers, instrument_id, day=1)
    assert resp.status_code == 201, resp.get_json()
    print(f"\nstatements per booking ({'approval' if approval else 'auto'}, {db.engine.dialect.name}): "
          f"{len(seen)}\n  " + "\n  ".join(seen))
    request = seen[:seen.index("COMMIT")]
    request = [s for s in request if s not in ("BEGIN", "BEGIN IMMEDIATE")]
    # The request itself: the instrument with its settings, opening hours and blackouts in one statement,
    # then the insert with its audit row in one statement on PostgreSQL (two on SQLite); the token was
    # read by the first request and is kept by this process (accounts/token_cache.py). Auto-approval adds
    # the status update, its audit row and the subsidy reservation's two reads; on SQLite the overlap
    # check reads the busy times first. Before: 9 and 13 statements on PostgreSQL, notifications
    # included; then 4 and 7 (the token and the audit row each a statement of its own).
    expected = (2 if approval else 6) + (0 if db.engine.dialect.name == "postgresql" else 2)
    assert len(request) <= expected, request
    assert not any("notifications" in s for s in request)  # the fan-out is a job after the commit
    from marketplace.notifications.models import Notification
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) >= 2  # and it ran (in-process mode)
