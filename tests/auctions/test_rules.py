"""The pure rules of a bid and of the time extension."""
from datetime import datetime, timedelta

from marketplace.auctions import rules

T = datetime(2026, 12, 1, 2, 0)


def test_the_first_bid_may_equal_the_starting_price_and_later_ones_step_up_by_whole_increments():
    assert rules.next_valid(1000, 50, None) == 1000
    assert rules.bid_error(1000, 1000, 50, None) is None
    assert rules.bid_error(1100, 1000, 50, None) is None       # k = 2 steps above the start
    assert rules.bid_error(950, 1000, 50, None) == "below"
    assert rules.bid_error(1000, 1000, 50, 1000) == "below"    # never at the highest again
    assert rules.bid_error(1175, 1000, 50, 1100) == "step"
    assert rules.bid_error(1250, 1000, 50, 1100) is None       # highest + 3 × increment


def test_a_late_bid_moves_the_end_to_now_plus_the_window_and_an_early_one_does_not():
    end = T + timedelta(minutes=30)
    assert rules.extended_end(end, T, 5) == end
    late = end - timedelta(minutes=2)
    assert rules.extended_end(end, late, 5) == late + timedelta(minutes=5)


def test_the_deposit_defaults_to_ten_percent_rounded_up_and_phases_follow_the_clock():
    assert rules.default_deposit(1_000_001) == 100_001
    args = ("scheduled", T, T + timedelta(hours=1), T + timedelta(hours=2))
    assert rules.phase(*args, T) == "registration"
    assert rules.phase(*args, T + timedelta(hours=1)) == "bidding"
    assert rules.phase(*args, T + timedelta(hours=2)) == "ended"
    assert rules.phase("awarded", *args[1:], T) == "awarded"
