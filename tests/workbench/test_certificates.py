"""Certificates people can read and check: the text layer extracts exactly (pdfplumber and pypdf), the
parties are named as the contract type names them, the issuing body is printed, the verify address is
short and typeable; a filing number is found however its brackets were typed; no font → a clear 503."""
import io

import pdfplumber
import pytest
from pypdf import PdfReader

from tests.filing.conftest import admin, make_filing, make_upload, reviewer  # noqa: F401
from tests.registration.conftest import BUYER_USCC, approve

API = "/api/v1/contract-registrations"


def _texts(data: bytes) -> tuple[str, str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        plumber = "".join(page.extract_text() or "" for page in pdf.pages)
    return plumber, "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def registered(client, headers, create):
    def _registered(**overrides):
        reg = create(**overrides)
        client.post(f"{API}/{reg['id']}/submit", json={}, headers=headers["seller"])
        resp = approve(client, headers, reg["id"])
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()
    return _registered


def test_a_transfer_certificate_reads_back_with_its_parties_issuer_and_address(client, login, seller, registered):
    reg = registered(contract_type="transfer", subtype="patent")
    login(client, seller)
    plumber, pypdf = _texts(client.get(reg["certificate_url"]).data)
    for text in (plumber, pypdf):
        flat = text.replace("\n", "").replace(" ", "")
        assert "\x00" not in text
        for expected in (reg["number"], "南京工业技术大学", "苏州博远新材料有限公司", BUYER_USCC, "¥1,200,000.00",
                         "卖方（让与方）", "买方（受让方）", "江苏省技术合同认定登记机构",
                         f"/contract-registrations/verify/{reg['number']}"):
            assert expected in flat, (expected, flat[:400])
        assert "委托方" not in flat and "%" not in flat  # transfer parties; the address is not percent-encoded


def test_a_licence_names_licensor_and_licensee(client, login, seller, registered):
    reg = registered(contract_type="licence", subtype="patent")
    login(client, seller)
    plumber, _pypdf = _texts(client.get(reg["certificate_url"]).data)
    assert "卖方（许可方）" in plumber.replace(" ", "") and "买方（被许可方）" in plumber.replace(" ", "")


def test_the_filing_certificate_prints_a_short_address_that_verifies(app, client, make_filing):  # noqa: F811
    firm = make_filing("approved")
    year, seq = firm.number[5:9], firm.number[10:14]
    plumber, pypdf = _texts(client.get(f"/firms/{firm.id}/certificate.pdf").data)
    for text in (plumber, pypdf):
        flat = text.replace("\n", "").replace(" ", "")
        assert firm.number in flat and firm.name in flat and "江苏省科学技术厅" in flat
        assert f"/firms/verify/{year}-{seq}" in flat and "%E8" not in flat
    for typed in (f"{year}-{seq}", f"苏技经备[{year}]{seq}号", f"苏技经备（{year}）{seq}号", f"苏技经备({year}){seq}号",
                  f"苏技经备【{year}】{seq}", f" 苏技经备〔{year}〕{seq}号 "):
        resp = client.get("/firms/verify/" + typed)
        assert resp.status_code == 200 and 'data-verify="valid"' in resp.get_data(as_text=True), typed
    assert client.get(f"/firms/verify/{year}-99999").status_code == 404


def test_without_a_font_users_are_told_and_the_admin_log_says_what_to_install(app, client, make_filing,  # noqa: F811
                                                                              caplog):
    firm = make_filing("approved")
    app.config["PDF_FONT"] = "/nonexistent/font.ttc:0"
    try:
        resp = client.get(f"/firms/{firm.id}/certificate.pdf")
    finally:
        app.config["PDF_FONT"] = None
    assert resp.status_code == 503 and "暂时无法生成，已通知管理员" in resp.get_data(as_text=True)
    assert "PDF_FONT=/nonexistent/font.ttc:0: no such file" in caplog.text
