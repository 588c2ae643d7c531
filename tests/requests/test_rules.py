"""Eligibility tables per kind: pure functions, no app and no database."""
from datetime import date

import pytest

from marketplace.requests import rules
from tests.requests.conftest import OLD_ID, YOUNG_ID, id_number

Y = 100
M = 1_000_000 * Y  # ¥1M in fen


@pytest.mark.parametrize("revenue, prior, cap", [
    (0, 0, 3 * M), (49_999_999 * Y, 0, 3 * M), (49_999_999 * Y, 1, 5 * M), (50 * M, 0, 20 * M),
    (399_999_999 * Y, 3, 20 * M), (400 * M, 0, None), (None, 0, None),
])
def test_loan_cap_by_revenue_band(revenue, prior, cap):
    assert rules.loan_cap(revenue, prior) == cap


def loan(**kw):
    values = dict(org_kind="enterprise", in_province=True, revenue=30 * M, prior_loans=0, amount=2 * M,
                  term_months=12, product_min=None, product_max=None)
    values.update(kw)
    return rules.loan(rules.LoanFacts(**values))


@pytest.mark.parametrize("changes, fields", [
    ({}, set()),
    ({"amount": 3 * M}, set()),
    ({"amount": 3 * M + 1}, {"amount"}),                       # first loan above ¥3M
    ({"amount": 5 * M, "prior_loans": 1}, set()),              # a later loan may reach ¥5M
    ({"amount": 20 * M, "revenue": 100 * M}, set()),
    ({"amount": 20 * M + 1, "revenue": 100 * M}, {"amount"}),
    ({"revenue": 400 * M}, {"revenue"}),
    ({"revenue": None}, {"revenue"}),
    ({"org_kind": "university"}, {"org"}),
    ({"in_province": False}, {"org"}),
    ({"term_months": 37}, {"term_months"}),
    ({"amount": 2 * M, "product_max": 1 * M}, {"amount"}),
    ({"amount": 50_000 * Y, "product_min": 100_000 * Y}, {"amount"}),
])
def test_loan_eligibility(changes, fields):
    assert set(loan(**changes)) == fields


def test_loan_bands_are_configurable():
    bands = ((0, 10 * M, 1 * M, 2 * M),)
    assert set(loan(amount=1 * M + 1, revenue=5 * M, bands=bands)) == {"amount"}


def sec(**kw):
    values = dict(expert_seconds=True, birth=rules.birth_date(YOUNG_ID), degree="phd", senior_title=False,
                  sending_kind="university", company_kind="enterprise", company_in_province=True,
                  related=frozenset(), term_months=24, total_pay=120_000 * Y, today=date(2026, 11, 28))
    values.update(kw)
    return rules.secondment(rules.SecondmentFacts(**values))


@pytest.mark.parametrize("changes, fields", [
    ({}, set()),
    ({"birth": rules.birth_date(OLD_ID)}, {"id_number"}),
    ({"birth": date(1975, 11, 29)}, set()),                          # 50, turning 51 tomorrow
    ({"birth": date(1975, 11, 28)}, {"id_number"}),                  # 51 today: over the limit
    ({"birth": None}, {"id_number"}),
    ({"degree": "master"}, {"degree"}),
    ({"degree": "master", "senior_title": True}, set()),            # "normally PhD": a senior title may stand in
    ({"sending_kind": "enterprise"}, {"resource_id"}),
    ({"sending_kind": "research_institute"}, set()),
    ({"company_kind": "university"}, {"org"}),
    ({"company_in_province": False}, {"org"}),
    ({"related": frozenset({"researcher"})}, {"related"}),
    ({"related": frozenset({"sending_unit"})}, {"related"}),
    ({"term_months": 23}, {"term_months"}),
    ({"total_pay": 120_000 * Y - 1}, {"total_pay"}),
    ({"expert_seconds": False}, {"resource_id"}),
])
def test_secondment_eligibility(changes, fields):
    assert set(sec(**changes)) == fields


def test_age_and_birth_date_from_the_id_number():
    assert rules.birth_date(id_number(date(1985, 6, 1))) == date(1985, 6, 1)
    assert rules.birth_date(OLD_ID) == date(1960, 6, 1)  # a district code newer than the birth is fine
    assert rules.birth_date(YOUNG_ID[:-1] + ("0" if YOUNG_ID[-1] != "0" else "1")) is None  # bad check digit
    assert rules.age_on(date(1985, 6, 1), date(2026, 5, 31)) == 40
    assert rules.age_on(date(1985, 6, 1), date(2026, 6, 1)) == 41


@pytest.mark.parametrize("facts, fields", [
    (rules.IncubationFacts(seats_wanted=4, seats_offered=20, team_size=3), set()),
    (rules.IncubationFacts(seats_wanted=21, seats_offered=20, team_size=3), {"seats"}),
    (rules.IncubationFacts(seats_wanted=2, seats_offered=None, team_size=0), {"team_size"}),
])
def test_incubation_eligibility(facts, fields):
    assert set(rules.incubation(facts)) == fields


@pytest.mark.parametrize("facts, fields", [
    (rules.EquityFacts(org_kind="enterprise", amount=5 * M, product_min=1 * M, product_max=50 * M), set()),
    (rules.EquityFacts(org_kind="enterprise", amount=51 * M, product_min=1 * M, product_max=50 * M), {"amount"}),
    (rules.EquityFacts(org_kind="university", amount=5 * M), {"org"}),
])
def test_equity_eligibility(facts, fields):
    assert set(rules.equity(facts)) == fields


@pytest.mark.parametrize("facts, fields", [
    (rules.FinanceServiceFacts(org_kind="enterprise", amount=None, product_max=5 * M), set()),
    (rules.FinanceServiceFacts(org_kind="enterprise", amount=5 * M + 1, product_max=5 * M), {"amount"}),
    (rules.FinanceServiceFacts(org_kind="research_institute", amount=None), {"org"}),
    (rules.ConsultingFacts(expert_consults=True), set()),
    (rules.ConsultingFacts(expert_consults=False), {"resource_id"}),
    (rules.DataAccessFacts(access_level="on_request", agrees_licence=True), set()),
    (rules.DataAccessFacts(access_level="open", agrees_licence=True), {"resource_id"}),
    (rules.DataAccessFacts(access_level="on_request", agrees_licence=False), {"agree_licence"}),
    (rules.MaterialFacts(quantity=2, available=50, biosafety_level=1, requester_org_kind="enterprise"), set()),
    (rules.MaterialFacts(quantity=51, available=50, biosafety_level=1, requester_org_kind="enterprise"), {"quantity"}),
    (rules.MaterialFacts(quantity=1, available=50, biosafety_level=3, requester_org_kind="enterprise"), {"org"}),
    (rules.MaterialFacts(quantity=1, available=50, biosafety_level=3, requester_org_kind="university"), set()),
])
def test_other_kinds(facts, fields):
    rule = {rules.FinanceServiceFacts: rules.finance_service, rules.ConsultingFacts: rules.consulting, rules.DataAccessFacts: rules.data_access,
            rules.MaterialFacts: rules.material}[type(facts)]
    assert set(rule(facts)) == fields
