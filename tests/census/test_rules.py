"""Pure census rules: available hours, quotas, ratios, evaluation scores and grades, export cells."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from marketplace.census import DEFAULTS, rules

SH = ZoneInfo("Asia/Shanghai")
WEEKDAYS_830_1730 = tuple((d, time(8, 30), time(17, 30)) for d in range(5))


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=SH).astimezone(UTC).replace(tzinfo=None)


def _by_days(spans, year, blackouts=()):
    """Oracle: walk every minute-resolution opening span of every day, drop those inside a blackout."""
    total = 0
    day = date(year, 1, 1)
    while day.year == year:
        for wd, opens, closes in spans:
            if wd == day.weekday():
                s, e = _utc(datetime.combine(day, opens)), _utc(datetime.combine(day, closes))
                cut = 0
                for bs, be in _merged(blackouts):
                    lo, hi = max(s, bs), min(e, be)
                    if lo < hi:
                        cut += (hi - lo).total_seconds()
                total += (e - s).total_seconds() - cut
        day += timedelta(days=1)
    return int(total)


def _merged(intervals):
    out = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def test_weekday_opening_hours_over_a_year():
    # 2025: 261 weekdays × 9 h
    assert rules.available_seconds(WEEKDAYS_830_1730, 2025) == 261 * 9 * 3600
    assert rules.weekday_counts(2024) == [53, 53, 52, 52, 52, 52, 52]  # 2024: leap year from a Monday


def test_blackouts_remove_only_the_opening_hours_they_cover():
    blackouts = [(_utc(datetime(2025, 3, 3, 12)), _utc(datetime(2025, 3, 5, 10))),   # Mon noon – Wed 10:00
                 (_utc(datetime(2025, 3, 4, 8)), _utc(datetime(2025, 3, 4, 20))),    # overlaps the first
                 (_utc(datetime(2025, 3, 8)), _utc(datetime(2025, 3, 10))),          # a weekend: nothing
                 (_utc(datetime(2024, 12, 31, 9)), _utc(datetime(2025, 1, 1, 12)))]  # across the year start
    got = rules.available_seconds(WEEKDAYS_830_1730, 2025, blackouts)
    assert got == _by_days(WEEKDAYS_830_1730, 2025, blackouts)
    lost = (5.5 + 9 + 1.5 + 3.5) * 3600  # Mon 12–17:30, all Tue, Wed 8:30–10, 1 Jan 8:30–12
    assert got == 261 * 9 * 3600 - lost


def test_odd_spans_match_the_day_by_day_oracle():
    spans = ((0, time(8, 0), time(12, 0)), (0, time(11, 0), time(13, 0)), (5, time(9, 0), time(11, 30)),
             (6, time(0, 0), time(23, 59)))
    black = [(_utc(datetime(2026, 6, 1, 10)), _utc(datetime(2026, 6, 30, 10)))]
    assert rules.available_seconds(spans, 2026, black) == _by_days(
        ((0, time(8, 0), time(13, 0)), (5, time(9, 0), time(11, 30)), (6, time(0, 0), time(23, 59))), 2026, black)


def test_quota_hours_follow_the_category():
    by_cat = DEFAULTS["CENSUS_QUOTA_HOURS_BY_CATEGORY"]
    assert rules.quota_hours("分析仪器", by_cat, 1400) == 1400
    assert rules.quota_hours("专用仪器", by_cat, 1400) == 800
    assert rules.quota_hours(None, by_cat, 1400) == 1400


def test_ratio_is_none_without_a_denominator():
    assert rules.ratio(1, 0) is None
    assert rules.ratio(1, 3) == 0.3333


def test_a_perfect_unit_scores_100_and_an_idle_one_0():
    weights, targets = DEFAULTS["CENSUS_EVAL_WEIGHTS"], DEFAULTS["CENSUS_EVAL_TARGETS"]
    perfect = rules.UnitFacts(org_id=1, instruments=4, open_instruments=4, staff=2, bookings=10, answered=10,
                              finished=10, quota_seconds=100, used_seconds=100, external_seconds=100,
                              orgs_served=10, rating_sum=50, rating_count=10)
    assert rules.score(perfect, weights, targets)[0] == 100
    idle = rules.UnitFacts(org_id=2, instruments=3)
    assert rules.score(idle, weights, targets)[0] == 0
    assert rules.grade(100, DEFAULTS["CENSUS_GRADE_THRESHOLDS"]) == "优秀"
    assert rules.grade(0, DEFAULTS["CENSUS_GRADE_THRESHOLDS"]) == "较差"


def test_score_is_the_weighted_sum_of_the_indicators():
    weights = {k: 10 for k in rules.INDICATORS}  # 70 points in all
    targets = {"staff_per_instrument": 1, "coverage_orgs": 4}
    f = rules.UnitFacts(org_id=1, instruments=4, open_instruments=2, staff=1, bookings=4, answered=3, finished=2,
                        quota_seconds=1000, used_seconds=250, external_seconds=125, orgs_served=2,
                        rating_sum=12, rating_count=3)
    total, points = rules.score(f, weights, targets)
    # open 0.5, staff 0.25, online 0.75, run 0.25, effect 0.5, share 0.5, external (0.5 + 0.75) / 2
    assert points == {"open_rate": 5.0, "staff": 2.5, "online_service": 7.5, "run_hours": 2.5, "effect": 5.0,
                      "share_hours": 5.0, "external_service": 6.25}
    assert total == 33.75


@pytest.mark.parametrize("score,grade", [(85, "优秀"), (84.99, "良好"), (70, "良好"), (55, "合格"), (54.99, "较差")])
def test_grade_thresholds(score, grade):
    assert rules.grade(score, DEFAULTS["CENSUS_GRADE_THRESHOLDS"]) == grade
