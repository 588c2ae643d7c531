"""Facilities (科研设施与开放实验室) book through the same engine as instruments: the rate card declared in
catalog/types.py, availability and the overlap rule, approval, fees by the hour (the greater of booked and
used time), and no two-sided subsidy (the instrument-sharing programme's alone)."""
from datetime import timedelta

import pytest

from marketplace.booking import services
from marketplace.booking.models import Booking
from marketplace.catalog.types import BOOKABLE_TYPES, RESOURCE_TYPES, SUBSIDISED_TYPES
from marketplace.core.db import writing
from marketplace.core.errors import Conflict, Invalid, NotFound
from marketplace.extensions import db
from tests.booking.conftest import iso, slot


@pytest.fixture
def facility(make_resource, lab):
    return make_resource("facility", lab, title="材料制备与表征开放实验室", facility_kind="open_lab",
                         price_unit="hour", internal_price=30_000, external_price=50_000, bookable=True)


@pytest.fixture
def programme(app, make_user):
    """This year's subsidy programme, so an instrument booking would get a user-side subsidy."""
    from marketplace.core.timeutil import to_local, utcnow
    from marketplace.subsidy import services as subsidy
    admin = make_user(None, roles=("admin",))
    year = to_local(utcnow() + timedelta(days=14)).year
    with writing():
        prog = subsidy.create_programme(name=f"{year} 年度大型科学仪器共享双向补贴", year=year,
                                        budget=1_000_000_00, actor=admin)
        db.session.commit()
    return prog


def test_the_facility_rate_card_is_declared_once_with_the_types():
    names = [f.name for f in RESOURCE_TYPES["facility"].fields]
    assert {"price_unit", "internal_price", "external_price", "bookable"} <= set(names)
    unit = next(f for f in RESOURCE_TYPES["facility"].fields if f.name == "price_unit")
    assert list(unit.choices) == ["hour"]  # a space is booked by the hour, never by sample
    assert "facility" in BOOKABLE_TYPES and SUBSIDISED_TYPES == ("instrument",)


def test_a_company_books_a_facility_through_approval_and_pays_the_full_fee(app, facility, company_user, lab_user,
                                                                            programme):
    s, e = slot(0, 9, 0, 120)
    b = services.request_booking(facility, s, e, "中试工艺验证", actor=company_user)
    db.session.commit()
    assert (b.status, b.price_unit, b.unit_price, b.fee) == ("requested", "hour", 50_000, 100_000)
    services.approve_booking(b, actor=lab_user)
    db.session.commit()
    # An sme in the province would get 30 % off an instrument; a facility is outside the programme.
    assert (b.status, b.user_subsidy, b.payable) == ("approved", 0, 100_000)
    services.check_in(b, now=s, actor=company_user)
    services.complete_booking(b, actual_start=s, actual_end=s + timedelta(hours=1), now=s + timedelta(hours=1),
                              actor=lab_user)
    assert b.fee == 100_000  # booked 2 h beats used 1 h: the space was held for the booker


def test_the_owner_pays_the_internal_price(app, facility, lab_user):
    s, e = slot(1, 9, 0, 60)
    assert services.request_booking(facility, s, e, "本单位", actor=lab_user).fee == 30_000


def test_an_overlapping_facility_booking_is_refused_and_availability_shows_it(app, client, facility, company_user,
                                                                              make_user, company):
    s, e = slot(2, 10, 0, 120)
    services.request_booking(facility, s, e, "第一次", actor=company_user)
    db.session.commit()
    other = make_user(org=company)
    with pytest.raises(Conflict):
        services.request_booking(facility, s + timedelta(minutes=30), e, "重叠", actor=other)
    db.session.rollback()
    assert db.session.query(Booking).count() == 1
    day0 = s - timedelta(hours=10)  # local midnight
    free = client.get(f"/api/v1/instruments/{facility.id}/availability",
                      query_string={"from": iso(day0), "to": iso(day0 + timedelta(days=1))}).get_json()["free"]
    assert [(f["start"][11:16], f["end"][11:16]) for f in free] == [("08:30", "10:00"), ("12:00", "17:30")]


def test_the_facility_page_offers_the_booking_calendar(app, client, login, facility, company_user):
    page = client.get(f"/resources/{facility.id}").get_data(as_text=True)
    assert f"/booking/instruments/{facility.id}/book" in page
    login(client, company_user)
    assert client.get(f"/booking/instruments/{facility.id}/book").status_code == 200
    assert client.get(f"/booking/instruments/{facility.id}/calendar").status_code == 200


def test_the_api_books_a_facility_and_answers_without_subsidy(app, client, api_token, facility, company_user,
                                                               programme):
    s, e = slot(3, 9, 0, 90)
    resp = client.post("/api/v1/bookings", headers=api_token(company_user), json={
        "instrument_id": facility.id, "start": iso(s), "end": iso(e), "purpose": "开放实验室使用"})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert {k: resp.get_json()[k] for k in ("status", "fee", "user_subsidy", "payable")} == {
        "status": "requested", "fee": 75_000, "user_subsidy": 0, "payable": 75_000}


@pytest.mark.parametrize("fields", [
    {"bookable": False},
    {"price_unit": None, "internal_price": None, "external_price": None},   # no rate card yet
    {"external_price": None},
])
def test_a_facility_without_a_rate_card_or_closed_for_booking_is_refused(app, make_resource, lab, company_user,
                                                                         fields):
    values = {"price_unit": "hour", "internal_price": 30_000, "external_price": 50_000, "bookable": True}
    values.update(fields)
    fac = make_resource("facility", lab, facility_kind="pilot_line", **values)
    s, e = slot(0, 9, 0, 60)
    with pytest.raises(Invalid):
        services.request_booking(fac, s, e, "试用", actor=company_user)
    db.session.rollback()
    assert db.session.query(Booking).count() == 0


def test_other_types_are_still_not_bookable(app, client, api_token, make_resource, lab, company_user):
    dataset = make_resource("dataset", lab)
    with pytest.raises(NotFound):
        services.get_instrument(dataset.id)
    s, e = slot(0, 9, 0, 60)
    resp = client.post("/api/v1/bookings", headers=api_token(company_user), json={
        "instrument_id": dataset.id, "start": iso(s), "end": iso(e), "purpose": "x"})
    assert resp.status_code == 404 and db.session.query(Booking).count() == 0


def test_bad_facility_booking_input_is_refused(app, client, api_token, facility, company_user):
    s, e = slot(0, 9, 0, 60)
    headers = api_token(company_user)
    for body in ({"instrument_id": facility.id, "start": iso(e), "end": iso(s), "purpose": "倒序"},
                 {"instrument_id": facility.id, "start": iso(s), "end": iso(e), "purpose": "长" * 501},
                 {"instrument_id": facility.id, "start": "明天", "end": iso(e), "purpose": "x"}):
        resp = client.post("/api/v1/bookings", headers=headers, json=body)
        assert resp.status_code == 422, (body, resp.get_data(as_text=True))
    assert db.session.query(Booking).count() == 0


def test_the_quote_says_why_there_is_no_subsidy(app, facility, company, programme):
    from marketplace.subsidy.services.eligibility import quote
    s, _e = slot(0, 9, 0, 60)
    q = quote(facility, company, 50_000, s)
    assert (q.amount, q.payable) == (0, 50_000) and "仅适用于大型科学仪器" in q.reason


def test_a_facility_booking_is_in_the_users_calendar_feed(app, facility, instrument, company_user):
    from icalendar import Calendar

    from marketplace.booking import ics
    services.request_booking(facility, *slot(0, 9), "开放实验室", actor=company_user)
    services.request_booking(instrument, *slot(1, 9), "电镜", actor=company_user)
    db.session.commit()
    events = Calendar.from_ical(ics.user_feed(company_user)).walk("VEVENT")
    assert sorted(str(e["summary"]) for e in events) == sorted([facility.title, instrument.title])
    assert [str(e.get("location")) for e in events if str(e["summary"]) == facility.title] == ["None"]


def test_the_facility_page_puts_price_and_booking_at_the_top(app, client, facility, make_resource, lab):
    page = client.get(f"/resources/{facility.id}").get_data(as_text=True)
    top = page[page.index('id="summary"'):page.index("</section>", page.index('id="summary"'))]
    assert "¥500.00" in top and 'id="summary-book"' in top
    closed = make_resource("facility", lab, facility_kind="test_field")  # no rate card: no price, no button
    top = client.get(f"/resources/{closed.id}").get_data(as_text=True)
    assert 'id="summary-book"' not in top and 'id="summary-price"' not in top
