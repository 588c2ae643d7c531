"""Bad input gets a clear error and changes nothing (API and forms)."""
from datetime import timedelta

import pytest

from marketplace.booking import services
from marketplace.booking.models import Booking
from marketplace.core.timeutil import to_local, utcnow
from marketplace.extensions import db
from tests.booking.conftest import iso, now_slot, slot


def count():
    return db.session.scalar(db.select(db.func.count(Booking.id)))


@pytest.fixture
def post(client, api_token, company_user):
    headers = api_token(company_user)

    def _post(body, headers=headers, url="/api/v1/bookings"):
        before = count()
        resp = client.post(url, json=body, headers=headers)
        db.session.expire_all()
        assert count() == before, "a rejected request must not create a booking"
        return resp

    return _post


def body(inst, start, end, **kw):
    return {"instrument_id": inst.id, "start": iso(start), "end": iso(end), "purpose": "测试", **kw}


@pytest.mark.parametrize("case,field", [
    ("end_before_start", "end"), ("zero_length", "end"), ("past", "start"), ("lead_time", "start"),
    ("horizon", "end"), ("before_opening", "start"), ("weekend", "start"), ("too_long", "end"),
    ("off_grid", "start"),
])
def test_bad_times(post, instrument, case, field):
    s, e = slot(0, 9, 0, 60)
    now = utcnow().replace(second=0, microsecond=0)
    times = {
        "end_before_start": (e, s), "zero_length": (s, s), "past": (now - timedelta(days=2), now - timedelta(days=2, hours=-1)),
        "lead_time": (now + timedelta(hours=2), now + timedelta(hours=3)),
        "horizon": (s + timedelta(days=70), e + timedelta(days=70)),
        "before_opening": slot(0, 6, 0, 120), "weekend": slot(5, 10, 0, 60), "too_long": slot(0, 8, 30, 540),
        "off_grid": slot(0, 9, 10, 60),
    }[case]
    resp = post(body(instrument, *times))
    assert resp.status_code == 422, resp.get_json()
    problem = resp.get_json()
    assert resp.mimetype == "application/problem+json" and field in problem["errors"], problem


def test_across_blackout(post, instrument, lab_user):
    s, e = slot(1, 9, 0, 180)
    services.add_blackout(instrument, s + timedelta(hours=1), s + timedelta(hours=2), "更换灯丝", actor=lab_user)
    db.session.commit()
    resp = post(body(instrument, s, e))
    assert resp.status_code == 422 and "更换灯丝" in resp.get_json()["errors"]["start"][0]


@pytest.mark.parametrize("field,value", [
    ("start", "2026-12-07T09:00:00"),          # no offset
    ("start", "next monday"),
    ("start", 1234567),
    ("end", "2026-12-07 11:00"),
    ("instrument_id", "abc"),
    ("instrument_id", True),
    ("samples", "3"),
    ("samples", 10**9),
    ("samples", 0),
    ("samples", -2),
    ("purpose", "x" * 501),
    ("purpose", ["a"]),
    ("purpose", ""),
])
def test_bad_fields(post, instrument, field, value):
    resp = post({**body(instrument, *slot(0, 9)), field: value})
    assert resp.status_code in (400, 422), resp.get_json()
    assert resp.get_json()["errors"], resp.get_json()


def test_absurd_sample_count_for_sample_instrument(post, make_resource, lab):
    inst = make_resource("instrument", lab, service_mode="sample_submission", price_unit="sample")
    for samples in (None, 0, 100_000, 10**12):
        resp = post(body(inst, *slot(0, 9), **({"samples": samples} if samples is not None else {})))
        assert resp.status_code == 422 and "samples" in resp.get_json()["errors"]


def test_missing_and_malformed_bodies(client, post, instrument, api_token, company_user):
    assert post({}).status_code == 422
    headers = api_token(company_user)
    resp = client.post("/api/v1/bookings", data="not json", headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code in (400, 422)
    assert client.post("/api/v1/bookings", json=[1, 2], headers=headers).status_code in (400, 422)
    assert post(body(instrument, *slot(0, 9)), headers={}).status_code == 401
    assert post({**body(instrument, *slot(0, 9)), "instrument_id": 999999}).status_code == 404


def test_unpublished_or_unbookable_instrument(post, make_resource, lab):
    draft = make_resource("instrument", lab, status="draft")
    assert post(body(draft, *slot(0, 9))).status_code == 404
    closed = make_resource("instrument", lab, bookable=False)
    assert post(body(closed, *slot(0, 9))).status_code == 422


def test_unqualified_user_on_self_operated(post, make_resource, lab, lab_user, company_user):
    inst = make_resource("instrument", lab, service_mode="self_operated")
    resp = post(body(inst, *slot(0, 9)))
    assert resp.status_code == 403 and "资格" in resp.get_json()["detail"]
    services.qualify_user(inst, company_user.email, actor=lab_user)
    db.session.commit()
    assert services.request_booking(inst, *slot(0, 9), "ok", actor=company_user).status == "requested"


def test_user_without_organisation(client, api_token, make_user, instrument):
    loner = make_user()
    resp = client.post("/api/v1/bookings", json=body(instrument, *slot(0, 9)), headers=api_token(loner))
    assert resp.status_code == 403 and count() == 0


def test_non_member_cannot_approve_reject_or_complete(client, api_token, instrument, company_user, make_user, make_org):
    b = services.request_booking(instrument, *slot(0, 9), "x", actor=company_user)
    db.session.commit()
    # the booking user sees the booking but is not a provider member
    for action in ("approve", "reject", "complete"):
        resp = client.post(f"/api/v1/bookings/{b.id}/{action}", json={"reason": "no"},
                           headers=api_token(company_user))
        assert resp.status_code == 403, (action, resp.get_json())
    # a stranger does not even learn the booking exists
    stranger = make_user(org=make_org())
    for action in ("approve", "cancel", "check-in"):
        assert client.post(f"/api/v1/bookings/{b.id}/{action}", headers=api_token(stranger)).status_code == 404
    assert client.get(f"/api/v1/bookings/{b.id}", headers=api_token(stranger)).status_code == 404
    db.session.expire_all()
    assert db.session.get(Booking, b.id).status == "requested"


def test_complete_before_approve_and_other_illegal_moves(client, api_token, instrument, company_user, lab_user):
    b = services.request_booking(instrument, *slot(0, 9), "x", actor=company_user)
    db.session.commit()
    lab = api_token(lab_user)
    assert client.post(f"/api/v1/bookings/{b.id}/complete", headers=lab).status_code == 409
    assert client.post(f"/api/v1/bookings/{b.id}/check-in", headers=api_token(company_user)).status_code == 409
    assert client.post(f"/api/v1/bookings/{b.id}/reject", json={}, headers=lab).status_code == 422
    assert client.post(f"/api/v1/bookings/{b.id}/approve", headers=lab).status_code == 200
    assert client.post(f"/api/v1/bookings/{b.id}/approve", headers=lab).status_code == 409
    assert client.post(f"/api/v1/bookings/{b.id}/pay-now", headers=lab).status_code == 404
    db.session.expire_all()
    assert db.session.get(Booking, b.id).status == "approved"


def test_bad_usage_record(client, api_token, instrument, company_user, lab_user, make_booking):
    b = make_booking(instrument, company_user, *now_slot(-60), status="in_use", actual_start=utcnow() - timedelta(hours=1))
    lab = api_token(lab_user)
    for payload in ({"actual_end": iso(utcnow() - timedelta(hours=2))},           # before the start
                    {"actual_end": iso(utcnow() + timedelta(days=1))},            # in the future
                    {"actual_end": "2026-01-01T10:00"},                           # no offset
                    {"actual_samples": -1}, {"actual_samples": "many"}):
        resp = client.post(f"/api/v1/bookings/{b.id}/complete", json=payload, headers=lab)
        assert resp.status_code == 422, (payload, resp.get_json())
    db.session.expire_all()
    assert db.session.get(Booking, b.id).status == "in_use"


def test_other_users_booking_pages(client, login, instrument, company_user, make_user, make_org):
    b = services.request_booking(instrument, *slot(0, 9), "x", actor=company_user)
    db.session.commit()
    login(client, make_user(org=make_org()))
    assert client.get(f"/booking/{b.id}").status_code == 404
    assert client.post(f"/booking/{b.id}/cancel").status_code == 404
    assert client.get(f"/booking/instruments/{instrument.id}/settings").status_code == 403
    db.session.expire_all()
    assert db.session.get(Booking, b.id).status == "requested"


def test_web_form_shows_errors_next_to_fields(client, login, instrument, company_user):
    login(client, company_user)
    s, e = slot(0, 9)
    fmt = "%Y-%m-%dT%H:%M"
    resp = client.post(f"/booking/instruments/{instrument.id}/book", data={
        "start": to_local(e).strftime(fmt), "end": to_local(s).strftime(fmt), "purpose": "x", "confirm": "1"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "结束时间必须晚于开始时间" in html and count() == 0
    resp = client.post(f"/booking/instruments/{instrument.id}/book", data={"start": "garbage", "end": "", "purpose": ""})
    assert resp.status_code == 200 and count() == 0


def test_availability_bad_params(client, instrument):
    url = f"/api/v1/instruments/{instrument.id}/availability"
    assert client.get(url).status_code == 422
    assert client.get(url, query_string={"from": "2026-12-01T00:00", "to": "2026-12-02T00:00"}).status_code == 422
    assert client.get(url, query_string={"from": "2026-12-02T00:00+08:00", "to": "2026-12-01T00:00+08:00"}).status_code == 422
    assert client.get(url, query_string={"from": "2026-01-01T00:00+08:00", "to": "2027-12-01T00:00+08:00"}).status_code == 422
    assert client.get("/api/v1/instruments/999999/availability",
                      query_string={"from": "2026-12-01T00:00+08:00", "to": "2026-12-02T00:00+08:00"}).status_code == 404


def test_colleague_sees_but_cannot_act(client, api_token, instrument, company_user, make_user):
    b = services.request_booking(instrument, *slot(0, 9), "x", actor=company_user)
    db.session.commit()
    colleague = make_user(org=company_user.organisation)
    headers = api_token(colleague)
    assert client.get(f"/api/v1/bookings/{b.id}", headers=headers).status_code == 200
    assert client.post(f"/api/v1/bookings/{b.id}/cancel", headers=headers).status_code == 403
    assert client.post(f"/api/v1/bookings/{b.id}/approve", headers=headers).status_code == 403
    db.session.expire_all()
    assert db.session.get(Booking, b.id).status == "requested"


@pytest.mark.parametrize("target", ["/\t/evil.example/", "/\n/evil.example/", "//evil.example/", "/\\evil.example",
                                    "https://evil.example/", "javascript:alert(1)"])
def test_the_booking_forms_next_never_leaves_the_site_nor_500s(client, login, instrument, company_user, target):
    """Issue 25: `next` "/\\t/evil.example/" redirected to "//evil.example/" and "\\n" answered 500."""
    b = services.request_booking(instrument, *slot(0, 9), "x", actor=company_user)
    db.session.commit()
    login(client, company_user)
    resp = client.post(f"/booking/{b.id}/cancel", data={"next": target})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/booking/{b.id}")
