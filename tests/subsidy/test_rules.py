"""Table-driven tests of every subsidy rule and cap (pure functions, no app)."""
import pytest

from marketplace.subsidy import rules
from marketplace.subsidy.rules import Party, Policy

P = Policy()  # the DOMAIN.md defaults
LAB = Party(org_id=1, group_id=1, kind="university")
LAB_SISTER = Party(org_id=2, group_id=1, kind="enterprise")          # same group as LAB
CO = Party(org_id=10, group_id=10, kind="enterprise")                  # plain in-province enterprise
SME = Party(org_id=11, group_id=11, kind="enterprise", sme=True)
SME_HT = Party(org_id=12, group_id=12, kind="enterprise", sme=True, high_tech=True)
HT_ONLY = Party(org_id=13, group_id=13, kind="enterprise", high_tech=True)
OUTSIDE = Party(org_id=14, group_id=14, kind="enterprise", in_province=False)
UNI = Party(org_id=15, group_id=15, kind="university")
BIG = 45_000_000  # instrument original value ¥450,000
ROOM = 10**12


@pytest.mark.parametrize("user,provider,value,expected", [
    (CO, LAB, BIG, None),
    (CO, LAB, 30_000_000, None),                       # exactly the minimum is eligible
    (CO, LAB, 29_999_999, "below_min_value"),
    (CO, LAB, None, "below_min_value"),
    (UNI, LAB, BIG, "not_enterprise"),
    (OUTSIDE, LAB, BIG, "out_of_province"),
    (CO, CO, BIG, "internal"),
    (LAB_SISTER, LAB, BIG, "related_party"),
])
def test_user_side_eligibility(user, provider, value, expected):
    assert rules.user_side_ineligibility(P, user, provider, value) == expected


@pytest.mark.parametrize("user,rate", [(CO, 2000), (SME, 3000), (SME_HT, 4000), (HT_ONLY, 2000)])
def test_user_rate_by_enterprise_flags(user, rate):
    assert rules.user_rate_bp(P, user) == rate


@pytest.mark.parametrize("user,fee,org_used,budget,amount,reason", [
    (CO, 100_000, 0, ROOM, 20_000, None),                     # 20 % of ¥1,000
    (SME, 100_000, 0, ROOM, 30_000, None),                    # 30 %
    (SME_HT, 100_000, 0, ROOM, 40_000, None),                 # 40 %
    (CO, 1, 0, ROOM, 0, None),                                # 0.2 fen rounds down
    (CO, 3, 0, ROOM, 1, None),                                # 0.6 fen rounds up
    (SME, 5, 0, ROOM, 2, None),                               # 1.5 fen: half up
    (CO, 0, 0, ROOM, 0, "zero_fee"),
    (SME_HT, 5_000_000, 0, ROOM, 2_000_000, None),            # exactly the per-booking cap
    (SME_HT, 5_000_003, 0, ROOM, 2_000_000, "booking_cap"),   # above it: capped
    (CO, 100_000, 19_990_000, ROOM, 10_000, "org_cap_partial"),  # yearly cap room ¥100
    (CO, 100_000, 20_000_000, ROOM, 0, "org_cap"),            # yearly cap used up
    (CO, 100_000, 25_000_000, ROOM, 0, "org_cap"),            # (never negative)
    (CO, 100_000, 0, 5_000, 5_000, "budget_partial"),
    (CO, 100_000, 0, 0, 0, "budget_exhausted"),
    (CO, 100_000, 0, -7, 0, "budget_exhausted"),
    (CO, 100_000, 19_999_000, 500, 500, "budget_partial"),    # the tighter of the two wins
])
def test_user_subsidy_amounts_and_caps(user, fee, org_used, budget, amount, reason):
    got = rules.user_subsidy(P, user, LAB, BIG, fee, org_used=org_used, budget_remaining=budget)
    assert (got.amount, got.reason_code) == (amount, reason)
    assert got.amount <= fee
    if reason:
        assert got.reason  # a message the user can read


@pytest.mark.parametrize("user,provider,value,reason", [
    (UNI, LAB, BIG, "not_enterprise"), (CO, CO, BIG, "internal"), (LAB_SISTER, LAB, BIG, "related_party"),
    (CO, LAB, 100, "below_min_value"), (OUTSIDE, LAB, BIG, "out_of_province"),
])
def test_ineligible_users_get_nothing(user, provider, value, reason):
    got = rules.user_subsidy(P, user, provider, value, 1_000_000, org_used=0, budget_remaining=ROOM)
    assert (got.amount, got.rule_amount, got.reason_code) == (0, 0, reason)


def test_configurable_rates_and_exclusions():
    custom = Policy(rate_default_bp=1500, booking_cap=1000, exclude_related=False, min_original_value=0)
    assert rules.user_subsidy(custom, CO, LAB, 0, 100_000, 0, ROOM).amount == 1000
    assert rules.user_subsidy(custom, LAB_SISTER, LAB, 0, 1000, 0, ROOM).amount == 150
    # internal use is never subsidised, even if the flag is off
    assert rules.user_side_ineligibility(Policy(exclude_internal=False), CO, CO, BIG) == "internal"


@pytest.mark.parametrize("fee,reserved,amount", [
    (100_000, 20_000, 20_000),     # same fee: same amount
    (50_000, 20_000, 10_000),      # used less: less subsidy, the rest is released
    (200_000, 20_000, 20_000),     # used more: never above the reservation
    (0, 20_000, 0),
    (100_000, 0, 0),               # nothing reserved (budget was exhausted): still nothing
])
def test_recompute_on_completion_never_above_reservation(fee, reserved, amount):
    assert rules.recompute_user_subsidy(P, CO, LAB, BIG, fee, reserved).amount == amount


@pytest.mark.parametrize("user,provider,eligible", [
    (CO, LAB, True), (UNI, LAB, True), (OUTSIDE, LAB, True),   # any external user counts for the provider
    (CO, CO, False), (LAB_SISTER, LAB, False),
])
def test_provider_side_eligibility(user, provider, eligible):
    assert rules.provider_side_eligible(P, user, provider) is eligible


@pytest.mark.parametrize("income,grade,before,amount", [
    (1_000_000, "A", 0, 200_000),        # 20 % × 1.0
    (1_000_000, "B", 0, 160_000),        # 20 % × 0.8
    (1_000_000, "C", 0, 100_000),        # 20 % × 0.5
    (1_000_000, "D", 0, 0),
    (1_000_000, None, 0, 0),             # ungraded → D by default
    (3, "B", 0, 0),                      # 0.48 fen
    (7, "C", 0, 1),                      # 0.7 fen rounds up
    (25, "C", 0, 3),                     # 2.5 fen: half up, once
    (3_000_000_000, "A", 0, 500_000_000),              # the yearly per-unit cap
    (1_000_000, "A", 499_950_000, 50_000),            # cap room left this year
    (1_000_000, "A", 500_000_000, 0),
])
def test_provider_subsidy(income, grade, before, amount):
    assert rules.provider_subsidy(P, income, grade, before) == amount


@pytest.mark.parametrize("amounts,available,expected", [
    ({1: 100, 2: 200}, 1000, {1: 100, 2: 200}),
    ({1: 100, 2: 200}, 300, {1: 100, 2: 200}),
    ({1: 100, 2: 200}, 150, {1: 50, 2: 100}),
    ({1: 1, 2: 1, 3: 1}, 2, {1: 1, 2: 1, 3: 0}),       # leftover fen to the smaller key on ties
    ({1: 333, 2: 667}, 100, {1: 33, 2: 67}),
    ({1: 5, 2: 5}, 0, {1: 0, 2: 0}),
    ({1: 5, 2: 5}, -3, {1: 0, 2: 0}),
    ({}, 100, {}),
])
def test_prorate_exact_to_the_fen(amounts, available, expected):
    got = rules.prorate(amounts, available)
    assert got == expected
    assert sum(got.values()) == min(sum(amounts.values()), max(0, available))
    assert all(got[k] <= amounts[k] for k in amounts)


@pytest.mark.parametrize("period,kind,expected", [
    ("2026Q1", "quarter", (2026, 1, 3)), ("2026q4", "quarter", (2026, 10, 3)),
    ("2026H2", "half", (2026, 7, 6)), ("2026", "year", (2026, 1, 12)),
])
def test_parse_period(period, kind, expected):
    assert rules.parse_period(period, kind) == expected


@pytest.mark.parametrize("period,kind", [("2026Q5", "quarter"), ("2026", "quarter"), ("Q4", "quarter"),
                                         ("abcdQ1", "quarter"), ("2026Q1", "half"), ("", "year")])
def test_parse_period_rejects(period, kind):
    with pytest.raises(ValueError):
        rules.parse_period(period, kind)
