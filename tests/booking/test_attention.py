"""What needs the company's attention: "to pay" in my bookings and a count in the nav, the default
order (attention, upcoming, past), the new booking leading the list, and when check-in opens."""
import re
from datetime import timedelta

import pytest

from marketplace.booking import rules, services
from marketplace.core.errors import Conflict
from marketplace.core.timeutil import to_local, utcnow
from marketplace.extensions import db
from tests.booking.conftest import now_slot, slot


def rows(html) -> list[int]:
    return [int(n) for n in re.findall(r'data-booking="(\d+)"', html)]


@pytest.fixture
def mixed(instrument, company_user, make_booking):
    """Past, upcoming, and owed bookings of the company user."""
    past_done = make_booking(instrument, company_user, *now_slot(-60 * 24 * 10), status="settled")
    owed = make_booking(instrument, company_user, *now_slot(-60 * 24 * 3), status="completed")
    late_fee = make_booking(instrument, company_user, *now_slot(-60 * 24 * 2), status="cancelled", cancel_fee=20_000)
    paid_fee = make_booking(instrument, company_user, *now_slot(-60 * 24 * 5), status="cancelled", cancel_fee=20_000,
                            cancel_fee_paid_at=utcnow())
    later = make_booking(instrument, company_user, *slot(2, 9))
    sooner = make_booking(instrument, company_user, *slot(0, 9), status="requested")
    return dict(past_done=past_done, owed=owed, late_fee=late_fee, paid_fee=paid_fee, later=later, sooner=sooner)


def test_default_order_attention_then_upcoming_then_past(client, login, company_user, mixed):
    login(client, company_user)
    html = client.get("/booking/my").get_data(as_text=True)
    m = mixed
    assert rows(html) == [m["owed"].id, m["late_fee"].id, m["sooner"].id, m["later"].id, m["paid_fee"].id,
                          m["past_done"].id]


def test_to_pay_view_and_nav_count(client, login, company_user, mixed, make_user, company):
    login(client, company_user)
    html = client.get("/booking/my?view=to_pay").get_data(as_text=True)
    assert rows(html) == [mixed["owed"].id, mixed["late_fee"].id]
    assert html.count('data-to-pay') == 2
    assert "去付款 ¥200.00" in html  # the late-cancellation fee, not the booking's fee
    assert 'id="to-pay-count">2<' in html
    # the nav shows the count on "my bookings" on every page
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'href="/booking/my">[^<]*<span class="badge nav-count" data-count="2"[^>]*>2</span>', home)
    # a colleague of the same company sees what the company owes too (and may pay it)
    client.post("/logout")
    colleague = make_user(org=company)
    login(client, colleague)
    assert rows(client.get("/booking/my?view=to_pay").get_data(as_text=True)) == [mixed["owed"].id,
                                                                                  mixed["late_fee"].id]
    assert rows(client.get("/booking/my").get_data(as_text=True)) == []  # but not as their own bookings


def test_upcoming_and_past_views(client, login, company_user, mixed):
    login(client, company_user)
    assert rows(client.get("/booking/my?view=upcoming").get_data(as_text=True)) == [mixed["sooner"].id,
                                                                                    mixed["later"].id]
    assert rows(client.get("/booking/my?view=past").get_data(as_text=True)) == [mixed["paid_fee"].id,
                                                                                mixed["past_done"].id]


def test_nothing_to_pay_shows_no_count(client, login, company_user, lab_user):
    login(client, company_user)
    assert "nav-count" not in client.get("/").get_data(as_text=True)
    assert "没有待付款的预约" in client.get("/booking/my?view=to_pay").get_data(as_text=True)


def test_bad_view_is_a_clear_4xx(client, login, company_user, mixed):
    login(client, company_user)
    assert client.get("/booking/my?view=everything").status_code == 422
    assert client.get("/booking/my?new=99999999999999").status_code == 200
    assert client.get("/booking/my?new=abc").status_code == 200


def test_new_booking_leads_the_list_highlighted(client, login, instrument, company_user, mixed):
    login(client, company_user)
    start, end = slot(4, 14)  # Friday afternoon: after every other upcoming booking
    client.get(f"/booking/instruments/{instrument.id}/book")
    data = {"start": to_local(start).strftime("%Y-%m-%dT%H:%M"), "end": to_local(end).strftime("%Y-%m-%dT%H:%M"),
            "purpose": "断口分析", "confirm": "1"}
    resp = client.post(f"/booking/instruments/{instrument.id}/book", data=data)
    assert resp.status_code == 302
    assert "/booking/my?new=" in resp.headers["Location"]
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    new_id = int(resp.headers["Location"].rsplit("=", 1)[1])
    assert rows(html)[0] == new_id and rows(html).count(new_id) == 1
    assert 'class="is-new" id="new-booking"' in html and "预约申请已提交" in html


def test_someone_elses_booking_is_not_pinned(client, login, instrument, company_user, lab_user, make_booking):
    theirs = make_booking(instrument, lab_user, *slot(1, 9))
    login(client, company_user)
    html = client.get(f"/booking/my?new={theirs.id}").get_data(as_text=True)
    assert theirs.id not in rows(html)


def test_owes_rule():
    assert rules.owes("completed", None, False)
    assert rules.owes("no_show", 100, False) and not rules.owes("no_show", 100, True)
    assert not rules.owes("cancelled", 0, False) and not rules.owes("settled", None, False)
    assert not rules.owes("approved", None, False)
    assert rules.needs_attention("completed", None, False, "proposed")


# -- check-in window ------------------------------------------------------------------------------

def test_checkin_window_rule():
    s = utcnow().replace(microsecond=0)
    assert rules.checkin_window(s, s + timedelta(hours=2), 30, 30) == (s - timedelta(minutes=30),
                                                                       s + timedelta(minutes=30))
    # a short booking closes its window when it ends
    assert rules.checkin_window(s, s + timedelta(minutes=20), 15, 30)[1] == s + timedelta(minutes=20)


def test_page_says_when_check_in_opens(client, login, instrument, company_user, make_booking):
    start, end = slot(0, 9, 15)  # Monday 09:15 local: opens at 08:45
    b = make_booking(instrument, company_user, start, end)
    login(client, company_user)
    html = client.get(f"/booking/{b.id}").get_data(as_text=True)
    local = to_local(start)
    assert f"签到于 {local.month}月{local.day}日 08:45 开放" in html
    assert f"/booking/{b.id}/check-in\"" not in html
    # the service refuses with the same words
    with pytest.raises(Conflict, match=f"签到于 {local.month}月{local.day}日 08:45 开放"):
        services.check_in(b, actor=company_user)
    db.session.rollback()
    # posting anyway says when, and changes nothing
    resp = client.post(f"/booking/{b.id}/check-in", follow_redirects=True)
    assert "08:45 开放" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(b), b.id).status == "approved"


def test_page_says_until_when_inside_the_window(client, login, instrument, company_user, make_booking):
    b = make_booking(instrument, company_user, *now_slot(10))
    login(client, company_user)
    html = client.get(f"/booking/{b.id}").get_data(as_text=True)
    closes = to_local(b.start + timedelta(minutes=30)).strftime("%H:%M")
    assert "签到开放中，" in html and f"{closes} 截止" in html
    assert f"/booking/{b.id}/check-in\"" in html


def test_check_in_window_in_english(client, login, instrument, company_user, make_booking):
    start, end = slot(0, 9, 15)
    b = make_booking(instrument, company_user, start, end)
    login(client, company_user)
    client.get("/lang/en")
    html = client.get(f"/booking/{b.id}").get_data(as_text=True)
    local = to_local(start)
    assert f"Check-in opens {local.month}/{local.day} 08:45" in html
