"""Certificate PDF, public verification (nothing private), changes after registration (变更/注销)."""
import io
import re

import pytest

from tests.registration.conftest import BUYER_USCC, SELLER_USCC, approve, payload

API = "/api/v1/contract-registrations"


@pytest.fixture
def registered(client, headers, create):
    def _registered(**overrides):
        reg = create(**overrides)
        client.post(f"{API}/{reg['id']}/submit", json={}, headers=headers["seller"])
        resp = approve(client, headers, reg["id"])
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()
    return _registered


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    # pypdf reads fpdf2's UTF-16 ToUnicode map with NULs between characters
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\x00", "")


def test_certificate_pdf_with_chinese_text_and_qr(client, login, seller, registered):
    reg = registered()
    login(client, seller)
    resp = client.get(reg["certificate_url"])
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    data = resp.data
    assert data.startswith(b"%PDF-") and len(data) > 5000
    assert b"/Image" in data or b"/XObject" in data  # the QR code
    try:
        text = _pdf_text(data)
    except ImportError:
        pytest.skip("pypdf not installed")
    for expected in (reg["number"], "技术合同认定登记证明", "¥1,200,000.00", "¥1,000,000.00", "免征增值税",
                     "南京工业技术大学", "苏州博远新材料有限公司", f"/contract-registrations/verify/{reg['number']}"):
        assert expected in text.replace("\n", ""), expected


def test_certificate_only_for_its_organisation_and_registrars(client, login, outsider, registered, app):
    reg = registered()
    assert client.get(reg["certificate_url"]).status_code in (302, 401)
    login(client, outsider)
    assert client.get(reg["certificate_url"]).status_code == 404


def test_no_certificate_before_registration(client, login, seller, create):
    reg = create()
    login(client, seller)
    assert client.get(f"/contract-registrations/{reg['id']}/certificate.pdf").status_code == 404


def test_verify_shows_the_public_facts_and_nothing_private(client, registered):
    reg = registered(non_tech_items=[{"name": "秘密设备清单", "amount": 20_000_000}])
    resp = client.get(f"/contract-registrations/verify/{reg['number']}?code={reg['check_code']}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'data-valid="true"' in html and reg["number"] in html
    for shown in ("南京工业技术大学", "苏州博远新材料有限公司", "技术开发"):
        assert shown in html, shown
    # amounts are the parties' business: a verification proves authenticity, not the price (issue 27)
    for private in (SELLER_USCC, BUYER_USCC, "秘密设备清单", "高性能锂电池", "seller@test.cn", "registrar@test.cn",
                    "¥1,200,000.00", "¥1,000,000.00"):
        assert private not in html, private

    api = client.get(f"{API}/verify/{reg['number']}", query_string={"code": reg["check_code"].lower()})
    body = api.get_json()
    assert api.status_code == 200 and body["valid"] is True and body["seller_name"] == "南京工业技术大学"
    assert "tech_amount" not in body and "total_amount" not in body
    text = str(body)
    for private in (SELLER_USCC, BUYER_USCC, "秘密设备清单", "高性能锂电池", "document", "comment", "applicant"):
        assert private not in text, private


@pytest.mark.parametrize("number", ["26320101999999", "abc", "2632010100000１", "1" * 40])
def test_verify_unknown_numbers(client, number):
    assert client.get(f"{API}/verify/{number}?code=ABCD2345").status_code == 404
    resp = client.get(f"/contract-registrations/verify/{number}?code=ABCD2345")
    assert resp.status_code == 404 and 'data-valid="false"' in resp.get_data(as_text=True)


def test_drafts_and_refused_applications_do_not_verify(client, headers, create):
    reg = create()
    assert reg["number"] is None
    html = client.get("/contract-registrations/verify/26320101000001?code=ABCD2345").get_data(as_text=True)
    assert 'data-valid="false"' in html


def test_amendment_changes_the_registered_contract_and_keeps_its_number(client, headers, registered, login, seller):
    reg = registered()
    change = client.post(API, json={**payload(total_amount=300_000_000), "kind": "amend", "amends_id": reg["id"]},
                         headers=headers["seller"])
    assert change.status_code == 201, change.get_json()
    change = change.get_json()
    assert change["kind"] == "amend" and change["amends_id"] == reg["id"] and change["number"] is None
    # one open change at a time
    again = client.post(API, json={**payload(), "kind": "cancel", "amends_id": reg["id"]}, headers=headers["seller"])
    assert again.status_code == 409
    client.post(f"{API}/{change['id']}/submit", json={}, headers=headers["seller"])
    resp = approve(client, headers, change["id"])
    assert resp.status_code == 200 and resp.get_json()["number"] is None

    original = client.get(f"{API}/{reg['id']}", headers=headers["seller"]).get_json()
    assert original["number"] == reg["number"] and original["total_amount"] == 300_000_000
    assert original["tech_amount"] == 280_000_000
    facts = client.get(f"{API}/verify/{reg['number']}?code={reg['check_code']}").get_json()
    assert facts["valid"] and facts["amended"] and "total_amount" not in facts
    login(client, seller)
    text = _pdf_text(client.get(reg["certificate_url"]).data) if _has_pypdf() else ""
    if text:
        assert "¥3,000,000.00" in text and "变更" in text


def test_cancellation_invalidates_the_number(client, headers, registered):
    reg = registered()
    cancel = client.post(API, json={"kind": "cancel", "amends_id": reg["id"], **payload()}, headers=headers["seller"])
    assert cancel.status_code == 201
    cancel = cancel.get_json()
    client.post(f"{API}/{cancel['id']}/submit", json={}, headers=headers["seller"])
    assert client.post(f"{API}/{cancel['id']}/approve", json={}, headers=headers["registrar"]).status_code == 200
    facts = client.get(f"{API}/verify/{reg['number']}?code={reg['check_code']}").get_json()
    assert facts["valid"] is False and facts["status"] == "cancelled"
    html = client.get(f"/contract-registrations/verify/{reg['number']}?code={reg['check_code']}").get_data(as_text=True)
    assert 'data-valid="false"' in html
    # a cancelled contract cannot be changed again
    again = client.post(API, json={**payload(), "kind": "amend", "amends_id": reg["id"]}, headers=headers["seller"])
    assert again.status_code == 422


def test_changes_only_of_own_registered_contracts(client, headers, registered, create, api_token, outsider):
    reg = registered()
    draft = create()
    resp = client.post(API, json={**payload(), "kind": "amend", "amends_id": draft["id"]}, headers=headers["seller"])
    assert resp.status_code == 422
    resp = client.post(API, json={**payload(), "kind": "amend", "amends_id": reg["id"]}, headers=headers["outsider"])
    assert resp.status_code == 422
    resp = client.post(API, json={**payload(), "kind": "new", "amends_id": reg["id"]}, headers=headers["seller"])
    assert resp.status_code == 422


def _has_pypdf() -> bool:
    try:
        import pypdf  # noqa: F401
        return True
    except ImportError:
        return False


def test_number_format(registered):
    reg = registered()
    assert re.fullmatch(r"\d{2}320101\d{6}", reg["number"])


def test_certificate_is_made_once_and_kept_in_the_file_store(client, login, seller, registered, app, monkeypatch):
    from marketplace.core.storage import storage
    from marketplace.registration.services import certificate

    reg = registered()
    login(client, seller)
    first = client.get(reg["certificate_url"])
    assert first.status_code == 200 and first.data.startswith(b"%PDF-")
    assert [k.split("/")[0] for k in storage().keys("certificates/")] == ["certificates"]

    def no_render(_reg):
        raise AssertionError("rendered again")
    monkeypatch.setattr(certificate, "certificate_pdf", no_render)
    again = client.get(reg["certificate_url"])  # another host on the same store would answer the same
    assert again.status_code == 200 and again.data == first.data
