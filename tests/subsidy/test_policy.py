"""The public subsidy policy: the page a visitor reaches from the sharing platform, the API, and the
estimate a requested booking shows before approval reserves anything."""
from datetime import date, datetime, timedelta

import time_machine

from marketplace.core.timeutil import to_local, utcnow
from marketplace.extensions import db
from marketplace.subsidy.services.policy import current_policy, example
from marketplace.verification.demo import grant


def this_year_programme(world, **rules):
    world.new_programme(**rules)
    year = to_local(utcnow()).year
    if world.programme.year != year:  # the tests' clock decides which year is "this year"
        world.programme.year = year
        db.session.commit()
    return world.programme


def test_visitor_reaches_the_policy_from_the_sharing_platform(client, world):
    this_year_programme(world)
    platform = client.get("/platforms/sharing").get_data(as_text=True)
    assert 'href="/subsidy/policy"' in platform
    resp = client.get("/subsidy/policy")
    assert resp.status_code == 200  # public: no login, no 403
    html = resp.get_data(as_text=True)
    assert "2026 年度大型科学仪器共享双向补贴" in html
    # the default rates, caps and threshold in numbers, with a worked ¥1,000 example
    assert "20%" in html and "30%" in html and "40%" in html
    assert "¥200.00" in html and "¥800.00" in html and "¥400.00" in html and "¥600.00" in html
    assert "¥20,000.00" in html and "¥200,000.00" in html and "¥300,000.00" in html
    assert 'href="/verification/"' in html  # how to get verified


def test_policy_page_says_when_no_programme_is_active(client, app):
    resp = client.get("/subsidy/policy")
    assert resp.status_code == 200
    assert "本年度没有有效的补贴计划" in resp.get_data(as_text=True)


def test_policy_page_in_english(client, world):
    this_year_programme(world)
    client.get("/lang/en")
    html = client.get("/subsidy/policy").get_data(as_text=True)
    assert "Who qualifies" in html and "How to get verified" in html


def test_policy_follows_the_programme_and_hides_the_budget(client, world):
    prog = this_year_programme(world, rate_sme_bp=3500, booking_cap=10_000)
    resp = client.get("/api/v1/subsidy/policy")
    assert resp.status_code == 200
    body = resp.get_json()
    rates = {r["qualification"]: r for r in body["user_rates"]}
    assert rates["sme"]["rate_bp"] == 3500
    # ¥1,000 at 35% is ¥350, capped at ¥100 per booking
    assert rates["sme"]["example_subsidy"] == 10_000 and rates["sme"]["example_payable"] == 90_000
    assert body["booking_cap"] == 10_000 and body["min_original_value"] == 30_000_000
    assert body["grade_factors_bp"] == {"A": 10000, "B": 8000, "C": 5000, "D": 0}
    assert body["budget_available"] is True
    assert body["qualifications_verified_at"].endswith("/verification/")
    for internal in ("budget", "reserved", "committed", "remaining"):
        assert internal not in body
    assert prog.id == body["programme_id"]


def test_policy_api_404_without_a_programme(client, app):
    resp = client.get("/api/v1/subsidy/policy")
    assert resp.status_code == 404
    assert resp.headers["Content-Type"].startswith("application/problem+json")


def test_policy_says_when_the_budget_is_used_up(client, world):
    prog = this_year_programme(world, budget=1000)
    prog.reserved = 1000
    db.session.commit()
    assert current_policy().budget_available is False
    assert client.get("/api/v1/subsidy/policy").get_json()["budget_available"] is False
    assert "预算已用完" in client.get("/subsidy/policy").get_data(as_text=True)


def test_example_rounds_half_up_and_caps():
    assert example(3000, 2_000_000, 100_001) == 30_000  # 30,000.3 fen
    assert example(3000, 2_000_000, 100_005) == 30_002  # 30,001.5 -> up
    assert example(4000, 100, 100_000) == 100


def test_requested_booking_shows_the_estimate_for_its_own_organisation(client, login, world):
    world.new_programme()
    b = world.book(hours=2)  # ¥800 at the external price, company verified as an SME
    login(client, world.co_user)
    html = client.get(f"/booking/{b.id}").get_data(as_text=True)
    assert 'id="subsidy-estimate"' in html
    assert "¥240.00" in html and "¥560.00" in html  # 30% of ¥800, and the rest to pay
    assert "科技型中小企业" in html  # why this rate
    # the lab sees the same estimate (the booking organisation's, not the viewer's)
    client.post("/logout")
    login(client, world.lab_staff)
    html = client.get(f"/booking/{b.id}").get_data(as_text=True)
    assert "¥240.00" in html and "¥560.00" in html


def test_estimate_says_why_nothing_applies(client, login, world):
    world.new_programme()
    outsider = world.company_user(name="上海某公司", in_province=False)
    b = world.book(user=outsider, hours=1)
    login(client, outsider)
    html = client.get(f"/booking/{b.id}").get_data(as_text=True)
    assert "预约单位未经核验为省内注册企业" in html
    assert 'id="estimate-payable"><strong>¥400.00' in html


def test_no_estimate_once_approved(client, login, world):
    world.new_programme()
    b = world.book(hours=1)
    world.approve(b)
    login(client, world.co_user)
    html = client.get(f"/booking/{b.id}").get_data(as_text=True)
    assert 'id="subsidy-estimate"' not in html  # the reservation speaks now
    assert b.user_subsidy == 12_000 and "¥120.00" in html




# -- the boundaries a fixed date meets once the calendar moves on (the suite's clock is frozen at
# SUITE_NOW; these tests move it past a booking's day on purpose) ---------------------------------

def test_a_request_whose_day_has_passed_shows_no_estimate(client, login, world):
    world.new_programme()
    b = world.book(hours=2)
    login(client, world.co_user)
    with time_machine.travel(b.start + timedelta(days=6), tick=False):
        html = client.get(f"/booking/{b.id}").get_data(as_text=True)
    assert 'id="subsidy-estimate"' not in html  # it lapsed undecided: nothing will be reserved


def test_a_booking_next_year_is_quoted_by_next_years_programme(client, login, world, make_resource):
    world.new_programme()  # 2026 only
    b = world.book(hours=1)
    b.start, b.end = datetime(2027, 1, 5, 1, 0), datetime(2027, 1, 5, 2, 0)  # a Tuesday, 09:00 in Nanjing
    db.session.commit()
    login(client, world.co_user)
    html = client.get(f"/booking/{b.id}").get_data(as_text=True)
    assert 'id="estimate-reason">本年度没有有效的补贴计划' in html
    assert 'id="estimate-payable"><strong>¥400.00' in html  # the whole fee: no 2027 programme yet


def test_a_qualification_that_starts_after_the_booking_day_does_not_count_for_it(client, login, world):
    world.new_programme()
    later = world.company_user(name="常州某新材料公司", sme=False)
    b = world.book(user=later, hours=2)  # ¥800
    grant(later.organisation, sme=True, valid_from=to_local(b.start).date() + timedelta(days=1),
          valid_until=date(2028, 12, 31))
    db.session.commit()
    login(client, later)
    html = client.get(f"/booking/{b.id}").get_data(as_text=True)
    assert 'id="estimate-rate">20%' in html and "¥160.00" in html  # the base rate on the booking's day
