"""Registered-contract figures reach the filing package's annual reports through the deals a firm brokered."""
from types import SimpleNamespace

from marketplace.filing.figures import figures_for
from marketplace.registration.services import register_prefill_source, unregister_prefill_source
from marketplace.registration.services.figures import register_brokered_deals, unregister_brokered_deals
from tests.registration.conftest import payload

API = "/api/v1/contract-registrations"


def test_a_firms_brokered_deals_count_once_registered(client, headers, app):
    # The deals' signed contracts: the application citing one declares its parties and amounts.
    contract = {k: payload()[k] for k in ("project_name", "contract_type", "seller", "buyer", "total_amount",
                                          "non_tech_items")}
    register_prefill_source("fig-deals", lambda deal_id, actor: contract if deal_id in (11, 12) else None)
    firm = SimpleNamespace(id=5)
    register_brokered_deals("fig-trading", lambda f, year: [11, 12, 13] if f.id == 5 else [])
    try:
        assert figures_for(firm)["registered_contracts"] == 0
        ids = []
        for deal_id in (11, 12):
            reg = client.post(API, json=payload(deal_id=deal_id), headers=headers["seller"]).get_json()
            client.post(f"{API}/{reg['id']}/submit", json={}, headers=headers["seller"])
            ids.append(reg["id"])
        client.post(f"{API}/{ids[0]}/approve", json={}, headers=headers["registrar"])  # the other stays submitted
        figures = figures_for(firm)
        assert figures["registered_contracts"] == 1 and figures["tech_amount"] == 100_000_000
        assert figures_for(SimpleNamespace(id=6))["registered_contracts"] == 0
        assert figures_for(firm, year=1999)["registered_contracts"] == 0
    finally:
        unregister_prefill_source("fig-deals")
        unregister_brokered_deals("fig-trading")
