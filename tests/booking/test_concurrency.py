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


def test_approve_and_reject_at_once_decide_the_booking_once(app, instrument, company_user, lab_user, make_booking):
    """Ten approvals and ten rejections of one request at the same moment: the state machine's conditional
    UPDATE lets exactly one through; the others are told it was decided meanwhile, and the audit log
    holds one decision."""
    from marketplace.core.models import AuditLog
    start, end = slot(1, 10)
    booking_id = make_booking(instrument, company_user, start, end, status="requested").id
    staff_id = lab_user.id

    def decide(i):
        with writing():
            b, staff = db.session.get(Booking, booking_id), db.session.get(User, staff_id)
            if i % 2:
                services.reject_booking(b, "设备检修", actor=staff, now=start - timedelta(days=1))
            else:
                services.approve_booking(b, actor=staff, now=start - timedelta(days=1))
            db.session.commit()
            return b.status

    results = race(app, N, decide)
    wins = [r for r in results if r in ("approved", "rejected")]
    assert len(wins) == 1, [getattr(r, "tb", r) for r in results]
    assert all(isinstance(r, Conflict) for r in results if r not in wins), [getattr(r, "tb", r) for r in results]
    assert db.session.get(Booking, booking_id).status == wins[0]
    decisions = db.session.scalars(sa.select(AuditLog.to_state).where(
        AuditLog.entity == "booking", AuditLog.entity_id == booking_id,
        AuditLog.to_state.in_(("approved", "rejected")))).all()
    assert decisions == wins
