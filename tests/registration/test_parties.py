"""Issue 25: a registration comes from the contract's seller, and one citing a deal declares that deal's
parties and amounts; anything else is refused and nothing is saved."""
import pytest

from marketplace.registration.services import register_prefill_source, unregister_prefill_source

from .conftest import BUYER_USCC, make_uscc, payload

API = "/api/v1/contract-registrations"
FAMOUS = make_uscc("91320000134789123")  # a well-known company that never applied


def test_nobody_registers_a_contract_naming_another_company_as_seller(client, headers, count_rows):
    other = {"name": "江苏某著名股份有限公司", "uscc": FAMOUS, "city_code": "3201", "nature": "enterprise"}
    resp = client.post(API, json=payload(seller=other), headers=headers["outsider"])
    assert resp.status_code == 422 and "seller.uscc" in resp.get_json()["errors"]
    resp = client.post(API, json=payload(seller={**payload()["seller"], "uscc": FAMOUS}), headers=headers["seller"])
    assert resp.status_code == 422 and "seller.uscc" in resp.get_json()["errors"]
    resp = client.post(API, json=payload(seller={**payload()["seller"], "name": "江苏某著名股份有限公司"}),
                       headers=headers["seller"])
    assert resp.status_code == 422 and "seller.name" in resp.get_json()["errors"]
    assert count_rows() == 0
    assert client.post(API, json=payload(), headers=headers["seller"]).status_code == 201  # its own contract


def test_a_squatter_holding_a_companys_code_cannot_register_as_that_company(client, make_org, make_user, api_token,
                                                                           count_rows):
    from marketplace.extensions import db
    from marketplace.verification.services import seed_identity
    squatter_org = make_org(name="江苏某著名股份有限公司", kind="enterprise", verified=False)
    seed_identity(squatter_org, uscc=FAMOUS, legal_name="江苏某著名股份有限公司", legal_rep="某人")
    squatter = make_user(org=squatter_org)
    db.session.commit()
    seller = {"name": "江苏某著名股份有限公司", "uscc": FAMOUS, "city_code": "3201", "nature": "enterprise"}
    resp = client.post(API, json=payload(seller=seller), headers=api_token(squatter))
    assert resp.status_code == 422 and "营业执照" in resp.get_json()["errors"]["seller.uscc"][0]
    assert count_rows() == 0


@pytest.fixture
def cited_deal():
    contract = {k: payload()[k] for k in ("project_name", "contract_type", "seller", "buyer", "total_amount",
                                          "non_tech_items")}
    register_prefill_source("parties-test", lambda deal_id, actor: contract if deal_id == 77 else None)
    yield 77
    unregister_prefill_source("parties-test")


@pytest.mark.parametrize("change,field", [
    ({"total_amount": 500_000_000}, "total_amount"),
    ({"contract_type": "service", "subtype": None}, "contract_type"),
    ({"buyer": {"name": "另一家公司", "uscc": make_uscc("91320100MA1XXXX02"), "city_code": "3201",
                "nature": "enterprise"}}, "buyer.uscc"),
    ({"buyer": {"name": "另一家公司", "uscc": BUYER_USCC, "city_code": "3205", "nature": "enterprise"}}, "buyer.name"),
])
def test_a_registration_citing_a_deal_declares_its_parties_and_amounts(client, headers, cited_deal, count_rows,
                                                                       change, field):
    resp = client.post(API, json=payload(deal_id=cited_deal, **change), headers=headers["seller"])
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["errors"]
    assert count_rows() == 0
    created = client.post(API, json=payload(deal_id=cited_deal), headers=headers["seller"])
    assert created.status_code == 201
    patched = client.patch(f"{API}/{created.get_json()['id']}", json=change, headers=headers["seller"])
    assert patched.status_code == 422 and field in patched.get_json()["errors"]
