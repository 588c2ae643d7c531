"""Weekly series: one request, slot by slot (failed slots listed), approved and cancelled together; a
series and a single booking racing for one slot end with one holder (both databases)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.booking import services
from marketplace.booking.models import Booking
from marketplace.catalog.models import Instrument
from marketplace.core.db import writing
from marketplace.core.errors import Conflict, DomainError, Invalid
from marketplace.core.timeutil import to_local
from marketplace.extensions import db
from tests.booking.conftest import iso, slot
from tests.booking.test_concurrency import active_overlaps
from tests.races import race

W = timedelta(weeks=1)


def local_day(dt):
    return to_local(dt).date()


def test_series_books_each_week_and_lists_the_slot_taken(app, instrument, lab_user, company_user, make_user, company):
    s, e = slot(1, 9, 0, 60)
    taken = services.request_booking(instrument, s + 2 * W, e + 2 * W, "别人", actor=make_user(org=company))
    db.session.commit()
    series, created, failed = services.request_series(instrument, s, e, local_day(s + 4 * W), "每周测样",
                                                      actor=company_user)
    db.session.commit()
    assert [b.start for b in created] == [s, s + W, s + 3 * W, s + 4 * W]
    assert [f["start"] for f in failed] == [taken.start] and "已被预约" in failed[0]["reason"]
    assert all(b.series_id == series.id and b.status == "requested" for b in created)
    assert services.approve_series(series, actor=lab_user) == 4
    db.session.commit()
    assert {b.status for b in services.series_bookings(series)} == {"approved"}
    assert services.cancel_series(series, "课题结束", actor=company_user) == 4
    db.session.commit()
    assert {b.status for b in services.series_bookings(series)} == {"cancelled"}


def test_series_limits(app, instrument, company_user):
    s, e = slot(1, 9, 0, 60)
    with pytest.raises(Invalid) as err:
        services.request_series(instrument, s, e, local_day(s + timedelta(days=3)), actor=company_user)
    assert "weekly_until" in err.value.errors
    with pytest.raises(Invalid):  # beyond the 60-day horizon
        services.request_series(instrument, s, e, local_day(s + 20 * W), actor=company_user)
    night = slot(1, 20, 0, 60)  # outside the opening hours every week: nothing to create
    with pytest.raises(Conflict) as err:
        services.request_series(instrument, *night, local_day(night[0] + 2 * W), actor=company_user)
    assert len(err.value.errors["weekly_until"]) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


def test_series_page_and_api(client, login, api_token, instrument, lab_user, company_user):
    s, e = slot(2, 10, 0, 60)
    r = client.post("/api/v1/bookings/series", headers=api_token(company_user), json={
        "instrument_id": instrument.id, "start": iso(s), "end": iso(e),
        "weekly_until": local_day(s + 2 * W).isoformat()})
    assert r.status_code == 201
    body = r.get_json()
    assert len(body["created"]) == 3 and body["failed"] == []
    again = client.post("/api/v1/bookings/series", headers=api_token(company_user), json={
        "instrument_id": instrument.id, "start": iso(s), "end": iso(e),
        "weekly_until": local_day(s + 2 * W).isoformat()})
    assert again.status_code == 409 and len(again.get_json()["errors"]["weekly_until"]) == 3
    assert client.post("/api/v1/bookings/series", headers=api_token(company_user), json={
        "instrument_id": instrument.id, "start": iso(s), "end": iso(e), "weekly_until": "soon"}).status_code == 422
    login(client, lab_user)
    page = client.get(f"/booking/series/{body['series_id']}").get_data(as_text=True)
    assert page.count("/booking/") and "全部批准" in page
    client.post(f"/booking/series/{body['series_id']}/approve")
    assert {db.session.get(Booking, i).status for i in body["created"]} == {"approved"}


def test_book_form_with_weekly_repeat(client, login, instrument, company_user):
    login(client, company_user)
    s, e = slot(3, 14, 0, 60)
    local = lambda dt: to_local(dt).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    data = {"start": local(s), "end": local(e), "purpose": "每周", "weekly_until": str(local_day(s + W)),
            "confirm": "1"}
    resp = client.post(f"/booking/instruments/{instrument.id}/book", data=data)
    assert resp.status_code == 302 and "/booking/series/" in resp.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 2


def test_a_series_and_a_single_booking_racing_for_a_slot(app, instrument, company_user, make_user, company):
    s, e = slot(1, 9, 0, 60)
    single_user = make_user(org=company)
    inst_id, uids = instrument.id, (company_user.id, single_user.id)
    target = s + 2 * W

    def go(i):
        with writing():
            inst, actor = db.session.get(Instrument, inst_id), db.session.get(User, uids[i])
            if i == 0:
                out = services.request_series(inst, s, e, local_day(s + 3 * W), actor=actor)
                db.session.commit()
                return ("series", [b.start for b in out[1]], [f["start"] for f in out[2]])
            b = services.request_booking(inst, target, target + (e - s), "单次", actor=actor)
            db.session.commit()
            return ("single", b.start)

    results = race(app, 2, go)
    assert not [r for r in results if isinstance(r, BaseException) and not isinstance(r, DomainError)]
    holders = db.session.scalars(sa.select(Booking).where(Booking.start == target,
                                                          Booking.status == "requested")).all()
    assert len(holders) == 1 and active_overlaps() == 0
    series = results[0]
    if holders[0].user_id == single_user.id:
        assert series[2] == [target] and target not in series[1]
    else:
        assert isinstance(results[1], Conflict) and target in series[1]
