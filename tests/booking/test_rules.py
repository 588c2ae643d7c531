"""Pure booking rules: no app, no database."""
from datetime import datetime, time, timedelta

import pytest

from marketplace.booking import rules
from marketplace.booking.states import TRANSITIONS

H = timedelta(hours=1)
# Monday 2026-12-07 00:00 Asia/Shanghai == 2026-12-06 16:00 UTC
MON = datetime(2026, 12, 6, 16, 0)
NOW = MON - timedelta(days=3)  # the Friday before, 00:00 local
WEEKLY = tuple(rules.parse_weekly_hours("0-4 08:30-17:30"))


def local(day_offset, hh, mm=0):
    """Naive UTC for local Monday + day_offset at hh:mm."""
    return MON + timedelta(days=day_offset, hours=hh, minutes=mm)


def R(**kw):
    base = dict(weekly=WEEKLY, lead_time_hours=24, horizon_days=60, min_minutes=30, max_minutes=480,
                slot_minutes=30, max_samples=500)
    base.update(kw)
    return rules.Rules(**base)


def test_overlap_is_half_open():
    a = (local(0, 9), local(0, 10))
    assert rules.overlaps(a, (local(0, 9, 30), local(0, 11)))
    assert not rules.overlaps(a, (local(0, 10), local(0, 11)))  # touching ends do not overlap
    assert not rules.overlaps(a, (local(0, 8), local(0, 9)))
    assert rules.overlaps(a, (local(0, 8), local(0, 12)))        # containing
    assert rules.overlaps(a, a)


def test_merge_and_subtract():
    a, b, c = (local(0, 9), local(0, 10)), (local(0, 10), local(0, 11)), (local(0, 13), local(0, 14))
    assert rules.merge([c, b, a]) == [(local(0, 9), local(0, 11)), c]
    assert rules.subtract([(local(0, 9), local(0, 17))], [(local(0, 10), local(0, 11)), (local(0, 16), local(0, 18))]) == [
        (local(0, 9), local(0, 10)), (local(0, 11), local(0, 16))]


def test_parse_weekly_hours():
    w = rules.parse_weekly_hours("0-4 08:30-17:30; 5 09:00-12:00")
    assert len(w) == 6 and w[-1] == (5, time(9), time(12))
    for bad in ("0-4 17:30-08:30", "7 08:00-09:00", "nonsense"):
        with pytest.raises(ValueError):
            rules.parse_weekly_hours(bad)


def test_opening_intervals_are_local_time():
    spans = rules.opening_intervals(WEEKLY, MON, MON + timedelta(days=7))
    assert len(spans) == 5  # Monday to Friday
    assert spans[0] == (local(0, 8, 30), local(0, 17, 30))
    assert spans[0][0] == datetime(2026, 12, 7, 0, 30)  # 08:30 Shanghai is 00:30 UTC


def test_free_intervals_subtract_busy_blackouts_and_lead_time():
    r = R(blackouts=((local(1, 8, 30), local(1, 17, 30), "保养"),))
    busy = [(local(0, 10), local(0, 12))]
    free = rules.free_intervals(r, busy, MON, MON + timedelta(days=2), NOW)
    assert free == [(local(0, 8, 30), local(0, 10)), (local(0, 12), local(0, 17, 30))]
    # lead time: asking on Monday 09:00 for Monday shows nothing before Tuesday 09:00
    free = rules.free_intervals(R(), [], MON, MON + timedelta(days=2), local(0, 9))
    assert free == [(local(1, 9), local(1, 17, 30))]
    # horizon
    assert rules.free_intervals(R(horizon_days=1), [], MON, MON + timedelta(days=5), NOW) == []


def _check(start, end, now=NOW, **kw):
    r = kw.pop("r", R())
    return rules.validate_request(r, start, end, now, price_unit=kw.pop("price_unit", "hour"), **kw)


def test_validate_good_request():
    assert _check(local(0, 9), local(0, 11)) == {}


@pytest.mark.parametrize("start,end,field", [
    (local(0, 11), local(0, 9), "end"),                      # end before start
    (local(0, 9), local(0, 9), "end"),                       # zero length
    (local(0, 9), local(0, 9, 15), "end"),                    # shorter than the minimum
    (local(0, 8, 30), local(0, 17, 30) + H * 0, None),       # full day is fine (9 h > 8 h max → error)
    (local(0, 7), local(0, 9), "start"),                     # before opening
    (local(0, 17), local(0, 18), "start"),                   # after closing
    (local(5, 9), local(5, 10), "start"),                    # Saturday
    (local(0, 9, 10), local(0, 10), "start"),                # not on the 30-minute grid
])
def test_validate_bad_requests(start, end, field):
    errors = _check(start, end)
    assert errors
    if field:
        assert field in errors


def test_validate_time_rules():
    assert "start" in _check(local(0, 9), local(0, 10), now=local(0, 10))           # in the past
    assert "start" in _check(local(1, 9), local(1, 10), now=local(0, 10))           # inside lead time
    assert "end" in _check(local(0, 9), local(0, 10), now=NOW, r=R(horizon_days=2))  # beyond horizon
    blk = R(blackouts=((local(0, 11), local(0, 12), "维修"),))
    errors = _check(local(0, 10), local(0, 13), r=blk)
    assert "维修" in errors["start"][0]                                               # across a blackout
    assert "start" in _check(local(0, 9), local(0, 10), busy=[(local(0, 9, 30), local(0, 11))])


def test_validate_samples():
    assert "samples" in _check(local(0, 9), local(0, 10), price_unit="sample")
    assert "samples" in _check(local(0, 9), local(0, 10), price_unit="sample", samples=0)
    assert "samples" in _check(local(0, 9), local(0, 10), price_unit="sample", samples=10**9)
    assert "samples" in _check(local(0, 9), local(0, 10), price_unit="sample", samples="3")
    assert "samples" in _check(local(0, 9), local(0, 10), price_unit="sample", samples=True)
    assert _check(local(0, 9), local(0, 10), price_unit="sample", samples=12) == {}


def test_fee():
    assert rules.booking_fee("hour", 30000, local(0, 9), local(0, 11)) == 60000
    assert rules.booking_fee("hour", 10001, local(0, 9), local(0, 9, 30)) == 5001  # half up
    assert rules.booking_fee("sample", 8000, local(0, 9), local(0, 10), samples=7) == 56000
    assert rules.unit_price_for(100, 300, internal=True) == 100
    assert rules.unit_price_for(100, 300, internal=False) == 300


def test_final_fee_bills_greater_of_booked_and_used_for_self_operated():
    booked = (local(0, 9), local(0, 11))
    short, long_ = (local(0, 9), local(0, 10)), (local(0, 9), local(0, 12))
    assert rules.final_fee("hour", 6000, "self_operated", booked, short, None, None) == 12000
    assert rules.final_fee("hour", 6000, "self_operated", booked, long_, None, None) == 18000
    assert rules.final_fee("hour", 6000, "staff_operated", booked, short, None, None) == 6000
    assert rules.final_fee("sample", 500, "sample_submission", booked, None, 10, 8) == 4000
    assert rules.final_fee("sample", 500, "sample_submission", booked, None, 10, None) == 5000


def test_cancellation_fee():
    start = local(2, 9)
    assert rules.cancellation_fee(10000, start, start - 25 * H, 24, 50) == 0
    assert rules.cancellation_fee(10000, start, start - 24 * H, 24, 50) == 0   # exactly 24 h: free
    assert rules.cancellation_fee(10000, start, start - 23 * H, 24, 50) == 5000
    assert rules.cancellation_fee(10001, start, start - H, 24, 50) == 5001     # half up
    assert rules.cancellation_fee(10000, start, start - H, 24, 50, status="requested") == 0


def test_transitions():
    assert rules.can_transition("requested", "approved")
    assert rules.can_transition("approved", "in_use")
    assert rules.can_transition("in_use", "completed")
    assert rules.can_transition("completed", "settled")
    assert not rules.can_transition("requested", "completed")
    assert not rules.can_transition("requested", "in_use")
    assert not rules.can_transition("settled", "cancelled")
    assert not rules.can_transition("in_use", "cancelled")
    # a settled booking only ever becomes refunded (its payment returned); nothing leaves refunded
    assert TRANSITIONS["settled"] == {"refunded"}
    for terminal in ("rejected", "cancelled", "refunded"):
        assert TRANSITIONS[terminal] == set()
    assert TRANSITIONS["no_show"] == {"completed"}  # the lab's correction, nothing else


def test_no_show_and_stale():
    start = local(0, 9)
    assert not rules.is_no_show("approved", start, start + timedelta(minutes=29), 30)
    assert rules.is_no_show("approved", start, start + timedelta(minutes=30), 30)
    assert not rules.is_no_show("in_use", start, start + 5 * H, 30)
    assert rules.is_stale_request("requested", start, start + 5 * H, 30)


def test_week_grid_marks_free_busy_closed():
    busy = [(local(0, 10), local(0, 11))]
    days, rows = rules.week_grid(R(), busy, MON.date() + timedelta(days=1), NOW)  # local Monday 2026-12-07
    assert len(days) == 7 and days[0].weekday() == 0
    by_time = dict(rows)
    assert by_time["08:30"][0][0] == "free" and by_time["08:30"][0][1] == local(0, 8, 30)
    assert by_time["10:00"][0][0] == "busy" and by_time["10:30"][0][0] == "busy"
    assert by_time["11:00"][0][0] == "free"
    assert by_time["09:00"][5][0] == "closed"  # Saturday
    assert "17:30" not in by_time and "17:00" in by_time
