"""Pure rules: working-day deadlines on China's official calendar, amounts, numbers, identifiers.

Expected dates are counted by hand from the State Council General Office's notice on the 2026
holidays (国务院办公厅关于2026年部分节假日安排的通知, November 2025), which `chinese-calendar` carries:
  Spring Festival: 15–23 Feb 2026 off; Saturday 14 Feb and Saturday 28 Feb are make-up working days.
  Mid-autumn 25–27 Sep and National Day 1–7 Oct 2026 off; Sunday 20 Sep and Saturday 10 Oct are
  make-up working days.
The 2027 notice is not in chinese-calendar 1.11.0 (the newest release): dates in 2027 are counted
Monday–Friday and flagged provisional; the 2027 holiday tests below switch on once the package has the
data (the statutory days they check — 除夕 5 Feb and 1 Oct 2027 — are fixed by law, not by the notice).
"""
from datetime import date, timedelta

import chinese_calendar
import pytest

from marketplace.registration import rules

HAS_2027 = rules.official_workday(date(2027, 6, 1)) is not None


def test_the_checked_2026_days_are_the_notices():
    # spot-check the data the deadlines rest on against the notice quoted above
    assert not chinese_calendar.is_workday(date(2026, 2, 16)) and not chinese_calendar.is_workday(date(2026, 2, 23))
    assert chinese_calendar.is_workday(date(2026, 2, 14)) and chinese_calendar.is_workday(date(2026, 2, 28))
    assert chinese_calendar.is_workday(date(2026, 9, 20)) and chinese_calendar.is_workday(date(2026, 10, 10))
    assert not chinese_calendar.is_workday(date(2026, 10, 7)) and not chinese_calendar.is_workday(date(2026, 9, 25))


@pytest.mark.parametrize("submitted, days, due", [
    # Friday before the Spring Festival: Sat 14 Feb counts (make-up day), 15–23 Feb do not, Sat 28 Feb counts.
    (date(2026, 2, 13), 15, date(2026, 3, 12)),
    # submitted on a holiday (17 Feb): counting starts after it, with the make-up Saturday 28 Feb.
    (date(2026, 2, 17), 15, date(2026, 3, 13)),
    # the day before the make-up Saturday: the next working day is that Saturday.
    (date(2026, 2, 13), 1, date(2026, 2, 14)),
    # Mid-autumn and National Day: 25 Sep and 1–7 Oct skipped, Sat 10 Oct counts.
    (date(2026, 9, 23), 15, date(2026, 10, 21)),
    (date(2026, 9, 30), 1, date(2026, 10, 8)),
    (date(2026, 10, 9), 1, date(2026, 10, 10)),
    # submitted on the make-up Saturday itself: the clock starts the next working day.
    (date(2026, 10, 10), 15, date(2026, 10, 30)),
    # 30 working days (expert review) from Friday 18 Sep: Sun 20 Sep and Sat 10 Oct count.
    (date(2026, 9, 18), 30, date(2026, 11, 5)),
])
def test_deadline_in_working_days_2026(submitted, days, due):
    assert rules.add_working_days(submitted, days) == (due, False)


def test_a_plain_weekday_count_would_be_wrong_around_the_spring_festival():
    weekdays, d = 0, date(2026, 2, 13)
    while weekdays < 15:
        d += timedelta(days=1)
        weekdays += d.weekday() < 5
    assert d == date(2026, 3, 6) != rules.add_working_days(date(2026, 2, 13), 15)[0]


def test_review_days_15_or_30_from_the_threshold():
    assert rules.review_days(499_999_999) == 15
    assert rules.review_days(500_000_000) == 30   # ¥5,000,000 exactly needs expert review
    assert rules.review_days(100, expert_threshold=100, normal=10, expert=20) == 20
    assert rules.due_date(date(2026, 9, 18), 500_000_000) == (date(2026, 11, 5), False)
    assert rules.due_date(date(2026, 9, 23), 1) == (date(2026, 10, 21), False)


@pytest.mark.skipif(HAS_2027, reason="chinese-calendar now carries 2027: the provisional path is not taken")
def test_2027_without_published_calendar_counts_weekdays_and_says_so():
    # Spring Festival week 2027 (除夕 is Friday 5 Feb, a lunar date): Monday–Friday, flagged.
    assert rules.add_working_days(date(2027, 2, 3), 15) == (date(2027, 2, 24), True)
    # National Day (Friday 1 October, a fixed date in law) is no working day even before the notice
    assert rules.working_day(date(2027, 10, 1)) == (False, True)
    assert rules.add_working_days(date(2027, 9, 29), 15) == (date(2027, 10, 21), True)
    # nor is New Year's Day (Friday 1 January 2027); a deadline that only crosses into 2027 is provisional
    assert rules.working_day(date(2027, 1, 1)) == (False, True)
    assert rules.working_day(date(2027, 1, 4)) == (True, True)
    assert rules.working_day(date(2027, 4, 5)) == (False, True)   # 清明, a solar term: Monday 5 April
    assert rules.add_working_days(date(2026, 12, 30), 15) == (date(2027, 1, 21), True)
    assert rules.add_working_days(date(2026, 12, 1), 15) == (date(2026, 12, 22), False)


@pytest.mark.skipif(not HAS_2027, reason="chinese-calendar 1.11.0 has no 2027 data yet (notice not carried)")
def test_2027_spring_festival_and_national_day_are_skipped_once_published():
    # Statutory days fixed by 全国年节及纪念日放假办法: 除夕 and the first days of the year; 1 Oct.
    for day in (date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9), date(2027, 10, 1)):
        assert rules.working_day(day) == (False, False)
    due, provisional = rules.add_working_days(date(2027, 2, 3), 15)
    assert not provisional and due > date(2027, 2, 24)
    due, provisional = rules.add_working_days(date(2027, 9, 29), 15)
    assert not provisional and due > date(2027, 10, 20)


def test_injected_calendar_with_make_up_saturday():
    # A calendar of one holiday Monday and one make-up Saturday: the rule follows the calendar given.
    def calendar(d):
        if d == date(2030, 1, 7):
            return False
        if d == date(2030, 1, 12):
            return True
        return d.weekday() < 5
    assert rules.add_working_days(date(2030, 1, 4), 1, calendar) == (date(2030, 1, 8), False)
    assert rules.add_working_days(date(2030, 1, 11), 1, calendar) == (date(2030, 1, 12), False)


def test_working_days_left():
    due = date(2026, 3, 12)
    assert rules.working_days_left(date(2026, 2, 13), due) == 15
    assert rules.working_days_left(due, due) == 0
    assert rules.working_days_left(date(2026, 3, 13), due) == -1
    assert rules.working_days_left(date(2026, 3, 16), due) == -2   # the weekend does not count
    assert rules.working_days_left(date(2026, 2, 27), due) == 10   # Sat 28 Feb is a working day


def test_tech_amount_and_vat():
    assert rules.tech_amount(120_000_000, [20_000_000, 1]) == 99_999_999
    assert rules.tech_amount(100, [101]) == -1  # the service refuses this
    assert rules.vat_exempt("development") and rules.vat_exempt("transfer")
    assert not any(rules.vat_exempt(t) for t in ("licence", "consulting", "service"))


def test_subtypes():
    assert rules.subtype_error("development", "commissioned") is None
    assert rules.subtype_error("development", None) == "required"
    assert rules.subtype_error("transfer", "commissioned") == "unknown"
    assert rules.subtype_error("consulting", None) is None
    assert rules.subtype_error("consulting", "patent") == "unknown"


def test_registration_number():
    assert rules.registration_number(2026, "3201", "01", 1) == "26320101000001"
    assert rules.registration_number(2027, "3213", "12", 999_999) == "27321312999999"
    for bad in (("320", "01", 1), ("3201", "1", 1), ("3201", "01", 0), ("3201", "01", 10**6)):
        with pytest.raises(ValueError):
            rules.registration_number(2026, *bad)
    assert rules.number_city("3205", "3201", "3201") == "3205"
    assert rules.number_city("3101", "3206", "3201") == "3206"   # an import: the domestic buyer's city
    assert rules.number_city("3101", "1101", "3201") == "3201"


def test_identifiers():
    from tests.registration.conftest import BUYER_USCC
    assert rules.normalise_uscc(BUYER_USCC.lower()) == BUYER_USCC
    assert rules.normalise_uscc(BUYER_USCC[:-1] + ("0" if BUYER_USCC[-1] != "0" else "1")) is None
    assert rules.normalise_uscc("") is None
    assert rules.city_code_name("3201") == "南京市" and rules.city_code_name("3213") == "宿迁市"
    assert rules.city_code_name("4403") == "深圳市"
    for bad in ("3299", "3200", "0000", "320", "32011", "abcd", "３２０１"):
        assert rules.city_code_name(bad) is None, bad


def test_openapi_enumerates_the_contract_subtypes(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    subtype = next(s["properties"]["subtype"] for name, s in schemas.items() if name == "RegistrationIn")
    assert set(subtype["enum"]) == {"commissioned", "cooperative", "patent", "patent_application", "know_how",
                                    "other", None}
    assert "development: commissioned|cooperative" in subtype["description"]
