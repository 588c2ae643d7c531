"""Downtime: maintenance and incidents block the calendar, affected bookings move or cancel free, the
page says 维修中, the census counts downtime apart from use; API; two moves into one slot at once."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.booking import services
from marketplace.booking.models import Booking
from marketplace.core.db import writing
from marketplace.core.errors import Conflict, DomainError, Forbidden, Invalid
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from tests.booking.conftest import iso, slot
from tests.races import race

H = timedelta(hours=1)


def told(user):
    return [n.subject for n in db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id))]


def test_maintenance_blocks_and_affected_bookings_move_or_cancel_free(app, instrument, lab_user, company_user,
                                                                       make_user, company):
    s, e = slot(1, 9, 0, 120)
    hit = services.request_booking(instrument, s, e, "测样", actor=company_user)
    services.approve_booking(hit, actor=lab_user)
    other_user = make_user(org=company)
    hit2 = services.request_booking(instrument, s + 3 * H, s + 4 * H, "测样", actor=other_user)
    db.session.commit()
    dt = services.record_downtime(instrument, kind="maintenance", starts_at=s - H, ends_at=s + 5 * H,
                                  note="更换灯丝", actor=lab_user)
    db.session.commit()
    assert dt.confirmed and any("仪器停机" in t for t in told(company_user)) and any("仪器停机" in t for t in told(other_user))
    with pytest.raises(Invalid):  # the blackout refuses new requests in the window
        services.request_booking(instrument, s + 2 * H, s + 3 * H, "x", actor=make_user(org=company))
    # a late cancellation of a booking the downtime hit is free
    services.cancel_booking(hit2, actor=other_user, now=s - 2 * H)
    assert hit2.cancel_fee == 0
    # the other moves to a free slot the next day, same length
    new_start, _ = slot(2, 9, 0)
    services.move_booking(hit, new_start, actor=company_user)
    db.session.commit()
    assert (hit.start, hit.end, hit.status) == (new_start, new_start + 2 * H, "approved")
    assert not services.affected_by_downtime(hit)
    with pytest.raises(Conflict):  # no longer hit: nothing to move
        services.move_booking(hit, new_start + 24 * H, actor=company_user)


def test_a_late_cancellation_without_downtime_still_costs(app, instrument, lab_user, company_user):
    s, e = slot(1, 9, 0, 60)
    b = services.request_booking(instrument, s, e, "x", actor=company_user)
    services.approve_booking(b, actor=lab_user)
    services.cancel_booking(b, actor=company_user, now=s - 2 * H)
    assert b.cancel_fee == b.fee // 2


def test_moves_are_checked(app, instrument, lab_user, company_user, make_user, company):
    s, e = slot(1, 9, 0, 60)
    b = services.request_booking(instrument, s, e, "x", actor=company_user)
    blocker = services.request_booking(instrument, *slot(3, 9, 0, 60), "y", actor=make_user(org=company))
    db.session.commit()
    services.record_downtime(instrument, kind="incident", severity="high", starts_at=s, ends_at=s + 2 * H, note="真空泵故障",
                             actor=lab_user)
    with pytest.raises(Forbidden):
        services.move_booking(b, slot(2, 9)[0], actor=lab_user)
    with pytest.raises(Conflict):
        services.move_booking(b, blocker.start, actor=company_user)
    with pytest.raises(Invalid):  # a Saturday night is not within the opening hours
        services.move_booking(b, slot(5, 22)[0], actor=company_user)


def test_user_report_waits_for_the_lab_then_blocks_until_fixed(app, instrument, lab_user, company_user, client,
                                                                login):
    now = utcnow()
    report = services.record_downtime(instrument, kind="incident", severity="medium", starts_at=now - H,
                                      note="样品台无法移动", actor=company_user)
    db.session.commit()
    assert not report.confirmed and services.current_downtime(instrument.id) is None
    with pytest.raises(Forbidden):
        services.record_downtime(instrument, kind="maintenance", starts_at=now, note="x", actor=company_user)
    services.confirm_downtime(report, actor=lab_user)
    db.session.commit()
    assert services.current_downtime(instrument.id).id == report.id
    login(client, company_user)
    page = client.get(f"/resources/{instrument.id}").get_data(as_text=True)
    assert 'id="downtime-notice"' in page and "维修中" in page and "样品台无法移动" in page
    services.fix_downtime(report, actor=lab_user)
    db.session.commit()
    assert services.current_downtime(instrument.id) is None
    assert "维修中" not in client.get(f"/resources/{instrument.id}").get_data(as_text=True)


def test_census_counts_a_week_down_as_unavailable_not_as_less_use(app, instrument, lab_user, client):
    census = {"year": 2026, "group_by": "instrument"}

    def row():
        return {r["key"]: r for r in client.get("/api/v1/census", query_string=census).get_json()["rows"]}[
            str(instrument.id)]
    before = row()
    monday, _ = slot(0, 0, 0)  # local midnight of next Monday
    services.record_downtime(instrument, kind="maintenance", starts_at=monday, ends_at=monday + timedelta(days=7),
                             note="年度保养", actor=lab_user)
    db.session.commit()
    after = row()
    assert before["available_hours"] - after["available_hours"] == pytest.approx(5 * 9)  # Mon–Fri 08:30–17:30
    assert after["used_hours"] == before["used_hours"]


def test_pages_record_and_report(client, login, instrument, lab_user, company_user):
    s, _e = slot(1, 9)
    local = lambda dt: (dt + 8 * H).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    login(client, company_user)
    bad = client.post(f"/booking/instruments/{instrument.id}/report-incident", data={
        "d-kind": "incident", "d-starts_at": local(utcnow()), "d-note": ""})
    assert bad.status_code == 422 and services.instrument_downtime(instrument.id) == []
    ok = client.post(f"/booking/instruments/{instrument.id}/report-incident", data={
        "d-kind": "maintenance", "d-severity": "low", "d-starts_at": local(utcnow()), "d-note": "屏幕闪烁"})
    assert ok.status_code == 302  # recorded as an incident whatever the form said
    assert services.instrument_downtime(instrument.id)[0].kind == "incident"
    client.get("/logout")
    login(client, lab_user)
    settings = client.get(f"/booking/instruments/{instrument.id}/settings").get_data(as_text=True)
    assert "屏幕闪烁" in settings and "用户报告，待确认" in settings
    client.post(f"/booking/instruments/{instrument.id}/settings/downtime", data={
        "d-kind": "maintenance", "d-starts_at": local(s), "d-ends_at": local(s + 2 * H), "d-note": "校准"})
    assert [d.note for d in services.instrument_downtime(instrument.id) if d.confirmed] == ["校准"]


def test_api_downtime(client, api_token, instrument, lab_user, company_user):
    s, e = slot(1, 9)
    b = services.request_booking(instrument, s, e, "x", actor=company_user)
    db.session.commit()
    lab = api_token(lab_user)
    url = f"/api/v1/instruments/{instrument.id}/downtime"
    r = client.post(url, headers=lab, json={"kind": "maintenance", "starts_at": iso(s), "ends_at": iso(e + H),
                                            "note": "保养"})
    assert r.status_code == 201 and r.get_json()["affected_booking_ids"] == [b.id] and r.get_json()["confirmed"]
    for body in ({"kind": "flood", "starts_at": iso(s), "note": "x"},
                 {"kind": "maintenance", "starts_at": iso(s), "ends_at": iso(s - H), "note": "x"},
                 {"kind": "maintenance", "starts_at": iso(s), "note": ""},
                 {"kind": "maintenance", "starts_at": "2026-13-01", "note": "x"}):
        bad = client.post(url, headers=lab, json=body)
        assert bad.status_code == 422, body
    user = client.post(url, headers=api_token(company_user), json={"kind": "maintenance", "starts_at": iso(s),
                                                                   "note": "x"})
    assert user.status_code == 403
    report = client.post(url, headers=api_token(company_user), json={"kind": "incident", "starts_at": iso(s),
                                                                     "note": "漏水"})
    assert report.status_code == 201 and not report.get_json()["confirmed"]


def test_two_affected_bookings_moving_into_one_slot_at_once(app, instrument, lab_user, company_user, make_user,
                                                            company):
    users = [company_user, make_user(org=company)]
    booked = [services.request_booking(instrument, *slot(1, 9 + i), "x", actor=users[i]) for i in range(2)]
    db.session.commit()
    services.record_downtime(instrument, kind="maintenance", starts_at=slot(1, 8)[0], ends_at=slot(1, 12)[0],
                             note="保养", actor=lab_user)
    db.session.commit()
    target = slot(2, 14)[0]
    ids, uids = [b.id for b in booked], [u.id for u in users]

    def move(i):
        with writing():
            b = services.move_booking(db.session.get(Booking, ids[i]), target, actor=db.session.get(User, uids[i]))
            db.session.commit()
            return b.id

    results = race(app, 2, move)
    wins = [r for r in results if isinstance(r, int)]
    assert len(wins) == 1 and all(isinstance(r, DomainError) for r in results if not isinstance(r, int))
    at_target = db.session.scalars(sa.select(Booking).where(Booking.start == target)).all()
    assert [b.id for b in at_target] == wins
