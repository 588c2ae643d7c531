"""Booking API happy paths, availability, pages, ICS feeds."""
from datetime import timedelta

from icalendar import Calendar

from marketplace.booking import ics, services
from marketplace.booking.models import Booking
from marketplace.extensions import db
from tests.booking.conftest import iso, slot


def test_api_flow_and_shapes(client, api_token, instrument, company_user, lab_user):
    s, e = slot(0, 9, 0, 90)
    resp = client.post("/api/v1/bookings", headers=api_token(company_user), json={
        "instrument_id": instrument.id, "start": iso(s), "end": iso(e), "purpose": "EDS 能谱"})
    assert resp.status_code == 201
    data = resp.get_json()
    assert {k: data[k] for k in ("status", "fee", "user_subsidy", "payable")} == {
        "status": "requested", "fee": 60_000, "user_subsidy": 0, "payable": 60_000}
    assert data["start"].endswith("+08:00")
    lab = api_token(lab_user)
    assert client.post(f"/api/v1/bookings/{data['id']}/approve", headers=lab).get_json()["status"] == "approved"
    cancelled = client.post(f"/api/v1/bookings/{data['id']}/cancel", headers=api_token(company_user),
                            json={"reason": "改期"}).get_json()
    assert cancelled["status"] == "cancelled" and cancelled["cancel_fee"] == 0
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/bookings" in spec["paths"] and "/instruments/{id}/availability" in spec["paths"]


def test_availability_returns_free_intervals_with_offset(client, instrument, company_user):
    s, e = slot(0, 10, 0, 60)
    services.request_booking(instrument, s, e, "x", actor=company_user)
    db.session.commit()
    day0 = s - timedelta(hours=10)  # local midnight
    resp = client.get(f"/api/v1/instruments/{instrument.id}/availability",
                      query_string={"from": iso(day0), "to": iso(day0 + timedelta(days=1))})
    free = resp.get_json()["free"]
    assert [(f["start"][11:16], f["end"][11:16]) for f in free] == [("08:30", "10:00"), ("11:00", "17:30")]
    assert all(f["start"].endswith("+08:00") for f in free)


def test_calendar_shows_busy_without_names(client, instrument, company_user):
    s, e = slot(0, 10, 0, 60)
    services.request_booking(instrument, s, e, "秘密课题", actor=company_user)
    db.session.commit()
    week = (s + timedelta(hours=8)).date().isoformat()
    html = client.get(f"/booking/instruments/{instrument.id}/calendar?week={week}").get_data(as_text=True)
    assert 'class="busy"' in html and 'class="free"' in html
    assert company_user.name not in html and "秘密课题" not in html
    detail = client.get(f"/resources/{instrument.id}").get_data(as_text=True)
    assert 'id="booking"' in detail and "book-button" in detail


def test_my_bookings_filter_and_pagination(client, login, instrument, company_user, lab_user):
    for day in range(3):
        b = services.request_booking(instrument, *slot(day, 9), f"第{day}次", actor=company_user)
        if day == 0:
            services.approve_booking(b, actor=lab_user)
    db.session.commit()
    login(client, company_user)
    html = client.get("/booking/my?status=approved").get_data(as_text=True)
    assert html.count("data-booking=") == 1
    html = client.get("/booking/my?per_page=2").get_data(as_text=True)
    assert html.count("data-booking=") == 2 and 'rel="next"' in html
    assert client.get("/booking/my?status=bogus").status_code == 422


def test_queue_counts_and_approve_from_queue(client, login, instrument, company_user, lab_user):
    b = services.request_booking(instrument, *slot(0, 9), "x", actor=company_user)
    services.request_booking(instrument, *slot(1, 9), "y", actor=company_user)
    db.session.commit()
    login(client, lab_user)
    html = client.get("/booking/queue").get_data(as_text=True)
    assert html.count("data-booking=") == 2
    resp = client.post(f"/booking/{b.id}/approve", data={"next": "/booking/queue"})
    assert resp.status_code == 302 and resp.location.endswith("/booking/queue")
    db.session.expire_all()
    assert db.session.get(Booking, b.id).status == "approved"
    assert services.provider_counts(lab_user.organisation_id) == {"approved": 1, "requested": 1}


def test_ics_feeds(client, login, instrument, company_user, lab_user):
    services.request_booking(instrument, *slot(0, 9), "x", actor=company_user)
    db.session.commit()
    secret = ics.regenerate_token(company_user)
    db.session.commit()
    resp = client.get(f"/booking/ics/{secret}.ics")
    assert resp.status_code == 200 and resp.mimetype == "text/calendar"
    events = [c for c in Calendar.from_ical(resp.data).walk("VEVENT")]
    assert len(events) == 1 and str(events[0]["summary"]) == instrument.title
    # regenerating invalidates the old URL
    new = ics.regenerate_token(company_user)
    db.session.commit()
    assert client.get(f"/booking/ics/{secret}.ics").status_code == 404
    assert client.get(f"/booking/ics/{new}.ics").status_code == 200
    # instrument feed: for the owning organisation's staff only
    assert client.get(f"/booking/ics/{new}/instruments/{instrument.id}.ics").status_code == 404
    staff = ics.regenerate_token(lab_user)
    db.session.commit()
    feed = client.get(f"/booking/ics/{staff}/instruments/{instrument.id}.ics")
    assert feed.status_code == 200 and company_user.name in feed.get_data(as_text=True)
    # the page offers the regeneration
    login(client, company_user)
    resp = client.post("/booking/my/calendar-token", follow_redirects=True)
    assert "/booking/ics/" in resp.get_data(as_text=True)


def test_rating_from_detail_page(client, login, instrument, company_user, make_booking):
    from tests.booking.conftest import now_slot
    b = make_booking(instrument, company_user, *now_slot(-300), status="completed")
    login(client, company_user)
    client.post(f"/booking/{b.id}/rate", data={"score": "5", "comment": "专业"})
    html = client.get(f"/resources/{instrument.id}").get_data(as_text=True)
    assert "5.0" in html


def test_provider_web_actions(client, login, instrument, company_user, lab_user, make_booking):
    from marketplace.booking.models import Blackout, Qualification
    from marketplace.core.timeutil import to_local
    from tests.booking.conftest import now_slot
    login(client, lab_user)
    base = f"/booking/instruments/{instrument.id}/settings"
    s, e = slot(3, 9)
    fmt = "%Y-%m-%dT%H:%M"
    client.post(f"{base}/blackout", data={"b-start": to_local(s).strftime(fmt), "b-end": to_local(e).strftime(fmt),
                                          "b-reason": "真空泵保养"})
    bo = db.session.scalar(db.select(Blackout))
    assert bo.reason == "真空泵保养" and bo.start == s
    client.post(f"{base}/blackout-delete", data={"id": bo.id})
    assert db.session.scalar(db.select(db.func.count(Blackout.id))) == 0
    client.post(f"{base}/qualify", data={"q-email": company_user.email})
    assert db.session.get(Qualification, (instrument.id, company_user.id)) is not None
    resp = client.post(f"{base}/qualify", data={"q-email": "nobody@nowhere.cn"}, follow_redirects=True)
    assert "找不到该邮箱的用户" in resp.get_data(as_text=True)
    # check in and record the usage from the booking page
    b = make_booking(instrument, company_user, *now_slot(-10, 60))
    client.post(f"/booking/{b.id}/check-in")
    db.session.expire_all()
    assert db.session.get(Booking, b.id).status == "in_use"
    client.post(f"/booking/{b.id}/complete", data={})
    db.session.expire_all()
    done = db.session.get(Booking, b.id)
    assert done.status == "completed" and done.actual_end is not None
    html = client.get(f"/booking/{b.id}").get_data(as_text=True)
    assert "已完成" in html


def test_availability_takes_and_answers_from_as_the_contract_names_it(client, instrument):
    day = "2026-12-07T00:00:00+08:00"
    url = f"/api/v1/instruments/{instrument.id}/availability"
    answer = client.get(url, query_string={"from": day, "to": "2026-12-08T00:00:00+08:00"}).get_json()
    assert answer["from"] == day and "from_" not in answer and answer["to"].startswith("2026-12-08T00:00")
    resp = client.get(url, query_string={"from_": day, "to": "2026-12-08T00:00:00+08:00"})
    assert resp.status_code == 422 and "from" in resp.get_data(as_text=True)
    spec = client.get("/api/v1/openapi.json").get_json()
    params = spec["paths"]["/instruments/{id}/availability"]["get"]["parameters"]
    assert {p["name"] for p in params if p["in"] == "query"} == {"from", "to"}
