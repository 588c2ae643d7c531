"""Sample submission is booked by drop-off day and sample count (not on the half-hour grid), and the
week calendar marks today and keeps phone-sized tap targets."""
import re
from datetime import datetime, time, timedelta

import pytest

from marketplace.booking import rules
from marketplace.booking.models import Booking
from marketplace.core.timeutil import to_local, utcnow
from marketplace.extensions import db
from tests.booking.conftest import next_monday, slot


@pytest.fixture
def sampler(make_resource, lab):
    return make_resource("instrument", lab, title="X 射线衍射仪", service_mode="sample_submission",
                         price_unit="sample", internal_price=10_000, external_price=15_000)


def test_drop_off_slot_rule_first_free_aligned_span():
    r = rules.Rules(weekly=((0, time(8, 30), time(17, 30)),), lead_time_hours=0, horizon_days=60, min_minutes=30)
    monday = next_monday()
    now = datetime.combine(monday - timedelta(days=3), time(0))
    first = rules.drop_off_slot(r, [], monday, now)
    assert to_local(first[0]).strftime("%H:%M") == "08:30" and first[1] - first[0] == timedelta(minutes=30)
    # the morning taken: the first free span after it
    busy = [(rules._to_utc(monday, time(8, 30)), rules._to_utc(monday, time(11, 0)))]
    assert to_local(rules.drop_off_slot(r, busy, monday, now)[0]).strftime("%H:%M") == "11:00"
    # a closed day (Tuesday has no hours here) and a full day have none
    assert rules.drop_off_slot(r, [], monday + timedelta(days=1), now) is None
    full = [(rules._to_utc(monday, time(8, 0)), rules._to_utc(monday, time(18, 0)))]
    assert rules.drop_off_slot(r, full, monday, now) is None
    # the lead time starts off the grid: the slot starts on it
    now = datetime.combine(monday, time(0)) + timedelta(minutes=7)  # 08:07 local
    r2 = rules.Rules(weekly=r.weekly, lead_time_hours=1, horizon_days=60, min_minutes=30)
    assert to_local(rules.drop_off_slot(r2, [], monday, now)[0]).strftime("%H:%M") == "09:30"


def test_book_samples_by_day_and_count(client, login, sampler, company_user):
    login(client, company_user)
    day = next_monday()
    page = client.get(f"/booking/instruments/{sampler.id}/book?day={day.isoformat()}").get_data(as_text=True)
    assert 'name="drop_off"' in page and 'name="samples"' in page
    assert 'name="start"' not in page  # no time grid
    data = {"drop_off": day.isoformat(), "samples": "4", "purpose": "物相分析"}
    quote = client.post(f"/booking/instruments/{sampler.id}/book", data=data).get_data(as_text=True)
    assert 'id="quoted-fee">¥600.00' in quote  # 4 samples at ¥150
    assert f"{day.isoformat()} 08:30 – 09:00" in quote
    resp = client.post(f"/booking/instruments/{sampler.id}/book", data={**data, "confirm": "1"})
    assert resp.status_code == 302
    b = db.session.scalars(db.select(Booking)).one()
    assert (b.samples, b.fee, to_local(b.start).strftime("%Y-%m-%d %H:%M")) == (4, 60_000, f"{day} 08:30")
    # a second company on the same day gets the next drop-off slot, not a conflict
    client.post("/logout")


def test_same_day_second_sender_gets_the_next_slot(client, login, sampler, company_user, make_user, make_org):
    other = make_user(org=make_org(name="无锡某公司", kind="enterprise", city="无锡"))
    day = next_monday()
    for user in (company_user, other):
        login(client, user)
        client.post(f"/booking/instruments/{sampler.id}/book",
                    data={"drop_off": day.isoformat(), "samples": "2", "purpose": "送样", "confirm": "1"})
        client.post("/logout")
    starts = sorted(to_local(b.start).strftime("%H:%M") for b in db.session.scalars(db.select(Booking)))
    assert starts == ["08:30", "09:00"]


@pytest.mark.parametrize("data, field", [
    ({"drop_off": "", "samples": "2"}, "drop_off"),
    ({"drop_off": "2026-02-30", "samples": "2"}, "drop_off"),
    ({"drop_off": "next-monday", "samples": "2"}, "drop_off"),
    ({"samples": "0"}, "samples"),
    ({"samples": "abc"}, "samples"),
    ({"samples": str(10**12)}, "samples"),
])
def test_bad_sample_input_changes_nothing(client, login, sampler, company_user, data, field):
    login(client, company_user)
    body = {"drop_off": next_monday().isoformat(), "purpose": "送样", "confirm": "1", **data}
    resp = client.post(f"/booking/instruments/{sampler.id}/book", data=body)
    assert resp.status_code == 422
    assert f'id="{field}-err"' in resp.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Booking)) == 0


def test_closed_or_past_day_is_told_next_to_the_field(client, login, sampler, company_user):
    login(client, company_user)
    for day in (next_monday() + timedelta(days=5), to_local(utcnow()).date() - timedelta(days=3)):
        resp = client.post(f"/booking/instruments/{sampler.id}/book",
                           data={"drop_off": day.isoformat(), "samples": "2", "purpose": "送样"})
        assert resp.status_code == 422
        assert re.search(r'id="drop_off-err">[^<]*请换一天', resp.get_data(as_text=True))
    assert db.session.scalar(db.select(db.func.count()).select_from(Booking)) == 0


def test_sample_calendar_offers_days_not_half_hours(client, sampler):
    week = next_monday()
    html = client.get(f"/booking/instruments/{sampler.id}/calendar?week={week.isoformat()}").get_data(as_text=True)
    assert f'data-day="{week.isoformat()}"' in html and "data-slot=" not in html
    assert f'data-day="{(week + timedelta(days=5)).isoformat()}"' not in html  # Saturday takes no samples


def test_calendar_marks_today_and_sizes_slots_for_phones(client, instrument):
    today = to_local(utcnow()).date()
    html = client.get(f"/booking/instruments/{instrument.id}/calendar?week={today.isoformat()}").get_data(as_text=True)
    assert html.count('aria-current="date"') == 1
    assert re.search(r'<th scope="col" class="today" aria-current="date">[^<]*<br>' + today.strftime("%m-%d")
                     + r'<span class="today-label">今天</span>', html)
    assert re.search(r"@media \(max-width: 760px\)[^}]*\{[^@]*height:44px", html)
    other = client.get(f"/booking/instruments/{instrument.id}/calendar?week={(today + timedelta(days=14)).isoformat()}")
    assert 'aria-current="date"' not in other.get_data(as_text=True)


def test_hourly_instruments_keep_the_time_form(client, login, instrument, company_user):
    login(client, company_user)
    s, _e = slot(0, 9)
    html = client.get(f"/booking/instruments/{instrument.id}/book?start={to_local(s):%Y-%m-%dT%H:%M}").get_data(
        as_text=True)
    assert 'name="start"' in html and 'name="drop_off"' not in html
