"""Registered contracts reach the data platform's plan figures (census), counted once registered."""
from marketplace.census.services.report import plan_figures
from marketplace.core.timeutil import to_local, utcnow

from .conftest import approve
from .test_api import post


def _plan(year):
    return {p["key"]: p for p in plan_figures(year)}


def test_registered_contracts_count_in_the_census_plan(client, headers, create):
    year = to_local(utcnow()).year
    assert _plan(year)["contracts"]["value"] == 0
    reg = create()
    assert post(client, f"/{reg['id']}/submit", headers["seller"]).status_code == 200
    assert _plan(year)["contracts"]["value"] == 0  # submitted, not registered
    assert approve(client, headers, reg["id"]).status_code == 200
    plan = _plan(year)
    assert plan["contracts"]["value"] == 1
    assert plan["contract_amount"]["value"] == reg["total_amount"]
    assert "尚未" not in plan["contracts"]["note"]  # a real figure, not the "not yet on the platform" note
