"""No two active bookings of one instrument overlap, even when 20 clients race for the slot.

Runs on SQLite (BEGIN IMMEDIATE serializes the check-then-insert) and on PostgreSQL (the
exclusion constraint refuses the loser) — run with TEST_DATABASE_URL for the latter.
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.booking import services
from marketplace.booking.models import Booking
from marketplace.catalog.models import Instrument
from marketplace.core.db import writing
from marketplace.core.errors import Conflict, DomainError
from marketplace.extensions import db
from tests.booking.conftest import iso, slot
from tests.races import race

N = 20


def overlapping_slots():
    """20 intervals that all contain 10:00–10:30 local, so every pair overlaps."""
    base, _ = slot(2, 9, 0)
    out = []
    for i in range(N):
        start = base + timedelta(minutes=30 * (i % 3))          # 09:00, 09:30, 10:00
        end = base + timedelta(minutes=90 + 30 * (i % 2))        # 10:30, 11:00
        out.append((start, end))
    return out


def active_overlaps():
    a, b = sa.orm.aliased(Booking), sa.orm.aliased(Booking)
    return db.session.scalar(sa.select(sa.func.count()).select_from(a).join(
        b, sa.and_(a.instrument_id == b.instrument_id, a.id < b.id, a.start < b.end, b.start < a.end))
        .where(a.status.in_(("requested", "approved", "in_use")), b.status.in_(("requested", "approved", "in_use"))))




def test_twenty_service_calls_yield_one_booking(app, instrument, company_user):
    slots = overlapping_slots()
    inst_id, user_id = instrument.id, company_user.id

    def book(i):
        with writing():
            try:
                b = services.request_booking(db.session.get(Instrument, inst_id),
                                             *slots[i], f"race {i}", actor=db.session.get(User, user_id))
                db.session.commit()
                return b.id
            except DomainError as err:
                db.session.rollback()
                return err

    results = race(app, N, book)
    wins = [r for r in results if isinstance(r, int)]
    assert len(wins) == 1, results
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, int)), results
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 1
    assert active_overlaps() == 0


def test_twenty_api_clients_yield_one_201(app, instrument, company_user, api_token):
    headers = api_token(company_user)
    slots = overlapping_slots()
    inst_id = instrument.id  # read once: ORM objects of the test's session stay in this thread

    def post(i):
        client = app.test_client()
        resp = client.post("/api/v1/bookings", headers=headers, json={
            "instrument_id": inst_id, "start": iso(slots[i][0]), "end": iso(slots[i][1]), "purpose": "race"})
        return resp.status_code

    codes = race(app, N, post)
    assert all(isinstance(c, int) for c in codes), [getattr(c, "tb", c) for c in codes]
    assert sorted(codes) == [201] + [409] * (N - 1), codes
    assert active_overlaps() == 0


def test_database_itself_refuses_overlap_on_postgresql(app, instrument, company_user, monkeypatch):
    """With the application's check switched off, PostgreSQL's exclusion constraint still holds."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("exclusion constraints are PostgreSQL's; SQLite relies on BEGIN IMMEDIATE")
    monkeypatch.setattr(services, "busy_between", lambda *a, **k: [])
    slots = overlapping_slots()
    inst_id, user_id = instrument.id, company_user.id

    def book(i):
        try:
            services.request_booking(db.session.get(Instrument, inst_id),
                                     *slots[i], "race", actor=db.session.get(User, user_id))
            db.session.commit()
            return "ok"
        except Conflict:
            db.session.rollback()
            return "conflict"

    results = race(app, N, book)
    assert sorted(results) == ["conflict"] * (N - 1) + ["ok"], results
    assert active_overlaps() == 0
