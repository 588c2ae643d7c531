"""Issue 25 (Low): a registration named a company as buyer of a contract it never saw, and the register
could be enumerated anonymously by number (520 GETs in 1.5 s). Now the buyer confirms before a registrar
may register (on the hub, through the cited deal, or in writing recorded by the registrar for a buyer the
hub cannot verify), and public verification asks for the certificate's check code, rate-limited."""
import pytest

from marketplace.extensions import db
from marketplace.registration.models import ContractRegistration
from tests.registration.conftest import make_uscc, payload

API = "/api/v1/contract-registrations"
FIVE_MILLION = {"total_amount": 500_000_000, "non_tech_items": []}


def post(client, path, headers, json=None):
    return client.post(f"{API}{path}", json=json or {}, headers=headers)


def _submitted(client, headers, **overrides):
    reg = client.post(API, json=payload(**overrides), headers=headers["seller"]).get_json()
    assert post(client, f"/{reg['id']}/submit", headers["seller"]).status_code == 200
    return reg


def _row(reg_id):
    db.session.rollback()
    return db.session.get(ContractRegistration, reg_id)


def test_a_company_named_as_buyer_of_five_million_is_not_registered_until_it_confirms(
        client, headers, api_token, make_org, make_user):
    reg = _submitted(client, headers, **FIVE_MILLION)
    resp = post(client, f"/{reg['id']}/approve", headers["registrar"])
    assert resp.status_code == 409 and "买方尚未确认" in resp.get_json()["detail"]
    assert (_row(reg["id"]).status, _row(reg["id"]).number) == ("submitted", None)
    # Neither the seller, nor an outsider, nor a registrar confirms for the buyer.
    for who in ("seller", "outsider", "registrar"):
        assert post(client, f"/{reg['id']}/confirm", headers[who]).status_code in (403, 404), who
    # The registrar may not record a paper confirmation for a buyer that is on the hub: it confirms itself.
    resp = post(client, f"/{reg['id']}/record-confirmation", headers["registrar"], {"evidence": "电话确认"})
    assert resp.status_code == 409
    assert _row(reg["id"]).buyer_confirmed_at is None
    # The buyer sees what names it, and confirms; then the registrar registers.
    seen = client.get(f"{API}/{reg['id']}", headers=headers["buyer"])
    assert seen.status_code == 200 and seen.get_json()["total_amount"] == 500_000_000
    assert post(client, f"/{reg['id']}/confirm", headers["buyer"]).status_code == 200
    assert post(client, f"/{reg['id']}/confirm", headers["buyer"]).status_code == 409  # once
    resp = post(client, f"/{reg['id']}/approve", headers["registrar"])
    assert resp.status_code == 200 and resp.get_json()["status"] == "registered"


def test_a_correction_after_return_needs_the_buyer_to_confirm_again(client, headers):
    reg = _submitted(client, headers)
    post(client, f"/{reg['id']}/confirm", headers["buyer"])
    post(client, f"/{reg['id']}/return", headers["registrar"], {"comment": "请补充合同文本"})
    resp = client.patch(f"{API}/{reg['id']}", json={"total_amount": 900_000_000}, headers=headers["seller"])
    assert resp.status_code == 200 and resp.get_json()["buyer_confirmed_at"] is None
    post(client, f"/{reg['id']}/submit", headers["seller"])
    assert post(client, f"/{reg['id']}/approve", headers["registrar"]).status_code == 409
    assert _row(reg["id"]).number is None


def test_a_buyer_off_the_hub_is_confirmed_in_writing_by_the_registrar(client, headers, api_token, make_org,
                                                                     make_user):
    from marketplace.verification.services import seed_identity
    offhub = make_uscc("91310104MA1FXXX02")  # a Shanghai company with no verified licence on the hub
    reg = _submitted(client, headers, buyer={"name": "上海某科技有限公司", "uscc": offhub, "city_code": "3101",
                                             "nature": "enterprise"})
    # A squatter that typed the buyer's code into its own identity confirms nothing.
    squatter_org = make_org(name="冒名公司", kind="enterprise", verified=False)
    seed_identity(squatter_org, uscc=offhub, legal_name="上海某科技有限公司", legal_rep="张三")
    squatter = make_user(squatter_org)
    db.session.commit()
    assert post(client, f"/{reg['id']}/confirm", api_token(squatter)).status_code in (403, 404)
    resp = post(client, f"/{reg['id']}/record-confirmation", headers["registrar"], {"evidence": "  "})
    assert resp.status_code == 422 and "evidence" in resp.get_json()["errors"]
    assert _row(reg["id"]).buyer_confirmed_at is None
    resp = post(client, f"/{reg['id']}/record-confirmation", headers["registrar"],
                {"evidence": "买方盖章确认函（附件 2）"})
    assert resp.status_code == 200 and resp.get_json()["buyer_confirmed_at"]
    assert post(client, f"/{reg['id']}/approve", headers["registrar"]).status_code == 200


def test_the_buyer_confirms_from_its_workbench_and_the_page(client, headers, login, buyer):
    reg = _submitted(client, headers)
    login(client, buyer)
    assert "待本单位确认的合同登记" in client.get("/workbench").get_data(as_text=True)
    page = client.get(f"/contract-registrations/{reg['id']}").get_data(as_text=True)
    assert 'data-confirmed="false"' in page and "确认本单位是该合同的买方" in page
    client.post(f"/contract-registrations/{reg['id']}/confirm")
    page = client.get(f"/contract-registrations/{reg['id']}").get_data(as_text=True)
    assert 'data-confirmed="true"' in page and "确认本单位是该合同的买方" not in page


def test_the_register_cannot_be_enumerated_by_number(client, headers):
    reg = _submitted(client, headers)
    post(client, f"/{reg['id']}/confirm", headers["buyer"])
    body = post(client, f"/{reg['id']}/approve", headers["registrar"]).get_json()
    number, code = body["number"], body["check_code"]
    assert len(code) == 8
    # The number alone: the API asks for the code, the page asks for it, neither shows a fact.
    assert client.get(f"{API}/verify/{number}").status_code == 422
    page = client.get(f"/contract-registrations/verify/{number}").get_data(as_text=True)
    assert "请输入登记证明上印的校验码" in page and "苏州博远新材料有限公司" not in page
    # A guessed code answers as an unknown number.
    for guess in ("AAAAAAAA", code[:-1], code + "2"):
        assert client.get(f"{API}/verify/{number}", query_string={"code": guess}).status_code == 404
        resp = client.get(f"/contract-registrations/verify/{number}", query_string={"code": guess})
        assert resp.status_code == 404 and "苏州博远新材料有限公司" not in resp.get_data(as_text=True)
    typed = f" {code[:4].lower()}-{code[4:]} "  # as people type it from paper
    assert client.get(f"{API}/verify/{number}", query_string={"code": typed}).get_json()["valid"] is True


def test_public_lookups_are_rate_limited_per_address(make_app):
    app = make_app(RATELIMIT_ENABLED=True, REGISTRATION_VERIFY_LIMIT="5 per minute")
    anonymous = app.test_client()
    codes = []
    for serial in range(8):  # walking the numbers, alternating the API and the page
        number = f"263201010000{serial:02d}"
        url = f"{API}/verify/{number}" if serial % 2 else f"/contract-registrations/verify/{number}"
        codes.append(anonymous.get(url, query_string={"code": "ABCD2345"},
                                   environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code)
    assert codes[:5] == [404] * 5 and codes[5:] == [429] * 3, codes
    other = anonymous.get(f"{API}/verify/26320101000001", query_string={"code": "ABCD2345"},
                          environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert other.status_code == 404  # another address has its own allowance


@pytest.mark.parametrize("typed", ["", "x" * 21])
def test_a_missing_or_huge_code_is_a_clear_422(client, typed):
    resp = client.get(f"{API}/verify/26320101000001", query_string={"code": typed})
    assert resp.status_code == 422 and "code" in resp.get_json()["errors"]
