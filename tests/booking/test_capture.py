"""Usage captured from the instrument: its token, start/stop reports, the check-in it makes, the usage
record it prefills, the 15-minute flag; refusals that record nothing; a report racing a check-in."""
from datetime import timedelta

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.booking import services
from marketplace.booking.models import Booking, InstrumentSession
from marketplace.core.audit import history
from marketplace.core.db import writing
from marketplace.core.errors import Conflict
from marketplace.core.timeutil import to_local, utcnow
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from tests.booking.conftest import iso, now_slot
from tests.races import race

M = timedelta(minutes=1)


def token(instrument, lab_user):
    secret = services.regenerate_instrument_token(instrument, actor=lab_user)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def sessions():
    return db.session.scalar(sa.select(sa.func.count()).select_from(InstrumentSession))


def test_start_checks_in_stop_prefills_and_flags(client, login, instrument, lab_user, company_user, make_booking):
    start, end = now_slot(-20, 60)  # began 20 minutes ago
    b = make_booking(instrument, company_user, start, end)
    pc = token(instrument, lab_user)
    url = f"/api/v1/instruments/{instrument.id}/sessions"
    began = start + 2 * M
    r = client.post(url, headers=pc, json={"started_at": iso(began)})
    assert r.status_code == 201 and r.get_json()["booking_id"] == b.id and r.get_json()["ended_at"] is None
    db.session.expire_all()
    assert db.session.get(Booking, b.id).status == "in_use"
    assert history("booking", b.id)[-1].action == "check_in"
    # the stop: the same session, 25 minutes short of the booked end → flagged to the lab
    stop = utcnow().replace(microsecond=0)
    r = client.post(url, headers=pc, json={"started_at": iso(began), "ended_at": iso(stop)})
    assert r.status_code == 201 and r.get_json()["flagged"] is True and sessions() == 1
    staff_told = db.session.scalars(sa.select(Notification.subject).where(Notification.user_id == lab_user.id)).all()
    assert any("15 分钟" in s for s in staff_told)
    login(client, lab_user)
    page = client.get(f"/booking/{b.id}").get_data(as_text=True)
    assert to_local(began).strftime("%Y-%m-%dT%H:%M") in page and to_local(stop).strftime("%Y-%m-%dT%H:%M") in page


def test_refusals_record_nothing(client, instrument, lab_user, make_resource, lab, api_token, company_user):
    pc = token(instrument, lab_user)
    other = make_resource("instrument", lab, title="另一台")
    other_pc = token(other, lab_user)
    now = utcnow()
    url = f"/api/v1/instruments/{instrument.id}/sessions"
    cases = [
        ({}, {"started_at": iso(now - 10 * M)}, 401),
        ({"Authorization": "Bearer inst_nottherealtoken_000000000000"}, {"started_at": iso(now - 10 * M)}, 401),
        (other_pc, {"started_at": iso(now - 10 * M)}, 403),
        (api_token(company_user), {"started_at": iso(now - 10 * M)}, 403),  # a person's token is not the PC's
        (pc, {"started_at": iso(now + timedelta(hours=2))}, 422),
        (pc, {"started_at": iso(now - 10 * M), "ended_at": iso(now - 20 * M)}, 422),
        (pc, {"started_at": iso(now - timedelta(days=30)), "ended_at": iso(now - timedelta(days=29))}, 422),
        (pc, {"started_at": iso(now - timedelta(hours=30)), "ended_at": iso(now - M)}, 422),
        (pc, {"started_at": "yesterday"}, 422),
        (pc, {"started_at": "2026-11-30T09:00:00"}, 422),  # no offset
    ]
    for headers, body, status in cases:
        r = client.post(url, headers=headers, json=body)
        assert r.status_code == status, (body, r.get_json())
    assert sessions() == 0
    # an instrument token opens nothing else
    assert client.get("/api/v1/bookings/1", headers=pc).status_code in (401, 404)
    assert client.post(f"/api/v1/instruments/{instrument.id}/downtime", headers=pc,
                       json={"kind": "incident", "starts_at": iso(now), "note": "x"}).status_code == 401


def test_overlapping_sessions_are_refused(client, instrument, lab_user):
    pc = token(instrument, lab_user)
    url = f"/api/v1/instruments/{instrument.id}/sessions"
    now = utcnow()
    assert client.post(url, headers=pc, json={"started_at": iso(now - 60 * M), "ended_at": iso(now - 30 * M)}
                       ).status_code == 201
    assert client.post(url, headers=pc, json={"started_at": iso(now - 45 * M), "ended_at": iso(now - 10 * M)}
                       ).status_code == 409
    assert client.post(url, headers=pc, json={"started_at": iso(now - 20 * M)}).status_code == 201
    assert client.post(url, headers=pc, json={"started_at": iso(now - 5 * M)}).status_code == 409  # one is open
    assert sessions() == 2


def test_regenerating_the_token_retires_the_old_one(client, instrument, lab_user):
    old = token(instrument, lab_user)
    new = token(instrument, lab_user)
    url = f"/api/v1/instruments/{instrument.id}/sessions"
    body = {"started_at": iso(utcnow() - 5 * M)}
    assert client.post(url, headers=old, json=body).status_code == 401
    assert client.post(url, headers=new, json=body).status_code == 201


def test_a_session_report_racing_a_check_in_checks_in_once(app, instrument, lab_user, company_user, make_booking):
    start, end = now_slot(-5, 60)
    b = make_booking(instrument, company_user, start, end)
    services.regenerate_instrument_token(instrument, actor=lab_user)
    db.session.commit()
    bid, inst_id, uid = b.id, instrument.id, company_user.id

    def go(i):
        with writing():
            if i == 0:
                s = services.report_session(services.get_instrument(inst_id), inst_id, started_at=utcnow() - M)
                db.session.commit()
                return ("session", s.booking_id)
            try:
                services.check_in(db.session.get(Booking, bid), actor=db.session.get(User, uid))
                db.session.commit()
                return ("check-in", bid)
            except Conflict as err:
                db.session.rollback()
                return err

    results = race(app, 2, go)
    assert results[0] == ("session", bid)
    assert results[1] == ("check-in", bid) or isinstance(results[1], Conflict)
    b = db.session.get(Booking, bid)
    assert b.status == "in_use" and b.actual_start is not None
    assert [h.action for h in history("booking", bid)].count("check_in") == 1
    assert sessions() == 1
