"""Registration pages: the application form by hand and from a deal, the registrar's queue and
decisions, bad input on forms, the statistics page and downloads."""
import io
from datetime import date

import pytest

from marketplace.extensions import db
from marketplace.registration.models import ContractRegistration
from marketplace.registration.services import register_prefill_source, unregister_prefill_source
from tests.registration.conftest import BUYER_USCC, SELLER_USCC, approve


def form_data(**overrides):
    data = {
        "project_name": "高性能锂电池正极材料技术开发", "contract_type": "development", "subtype": "commissioned",
        "seller-name": "南京工业技术大学", "seller-uscc": SELLER_USCC, "seller-city_code": "3201",
        "seller-nature": "university",
        "buyer-name": "苏州博远新材料有限公司", "buyer-uscc": BUYER_USCC, "buyer-city_code": "3205",
        "buyer-nature": "enterprise",
        "signed_on": "2026-09-01", "valid_until": "2027-08-31", "tech_field": "new_materials",
        "ip_kind": "invention_patent", "total_amount": "1,200,000.00",
        "non_tech_items-0-name": "设备购置", "non_tech_items-0-amount": "200000",
        "document_ids": "",
    }
    data.update(overrides)
    return data


def rows():
    db.session.rollback()
    return db.session.scalars(db.select(ContractRegistration)).all()


def test_hand_entry_then_submit(client, login, seller):
    login(client, seller)
    assert "技术合同认定登记申请" in client.get("/contract-registrations/new").get_data(as_text=True)
    resp = client.post("/contract-registrations/new", data=form_data())
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    [reg] = rows()
    assert reg.status == "draft" and reg.total_amount == 120_000_000 and reg.tech_amount == 100_000_000
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "¥1,000,000.00" in html and "提交" in html
    resp = client.post(f"/contract-registrations/{reg.id}/submit", follow_redirects=True)
    assert "办结期限" in resp.get_data(as_text=True)
    assert rows()[0].status == "submitted" and rows()[0].due_on is not None


@pytest.mark.parametrize("overrides, message", [
    ({"non_tech_items-0-amount": "1300000"}, "非技术性款项合计超过合同成交额"),
    ({"seller-uscc": "91320100MA1MG8AB1X"}, "统一社会信用代码无效"),
    ({"buyer-city_code": "3299"}, "GB/T 2260"),
    ({"total_amount": "-5"}, "请填写不小于 0 的金额（元）"),
    ({"total_amount": "abc"}, "请填写不小于 0 的金额（元）"),
    ({"non_tech_items-0-amount": "1e999"}, "请填写不小于 0 的金额（元）"),
    ({"contract_type": "sale"}, "不是有效的选择"),
    ({"subtype": "patent"}, "该合同类型没有这个子类型"),
    ({"valid_until": "2026-01-01"}, "有效期不能早于签订日期"),
])
def test_bad_form_input_is_shown_and_nothing_saved(client, login, seller, overrides, message):
    login(client, seller)
    resp = client.post("/contract-registrations/new", data=form_data(**overrides))
    assert resp.status_code == 200
    assert message in resp.get_data(as_text=True)
    assert rows() == []


def test_prefill_from_a_signed_deal(client, login, seller):
    def deal_source(deal_id, actor):
        if deal_id != 77 or actor.organisation_id != seller.organisation_id:
            return None
        return {"project_name": "交易预填项目", "contract_type": "transfer", "subtype": "patent",
                "seller": {"name": "南京工业技术大学", "uscc": SELLER_USCC, "city_code": "3201", "nature": "university"},
                "buyer": {"name": "苏州博远新材料有限公司", "uscc": BUYER_USCC, "city_code": "3205",
                          "nature": "enterprise"},
                "signed_on": date(2026, 10, 1), "total_amount": 88_000_000, "non_tech_items": []}

    register_prefill_source("test-deals", deal_source)
    try:
        login(client, seller)
        html = client.get("/contract-registrations/new?deal_id=77").get_data(as_text=True)
        assert "交易预填项目" in html and "880000.00" in html and 'data-prefilled="77"' in html
        html = client.get("/contract-registrations/new?deal_id=78").get_data(as_text=True)
        assert "请手工填写" in html
        data = form_data(project_name="交易预填项目", contract_type="transfer", subtype="patent",
                         total_amount="880000", **{"non_tech_items-0-name": "", "non_tech_items-0-amount": ""})
        resp = client.post("/contract-registrations/new?deal_id=77", data=data)
        assert resp.status_code == 302
        [reg] = rows()
        assert reg.deal_id == 77 and reg.tech_amount == 88_000_000
        # a deal is registered once
        resp = client.post("/contract-registrations/new?deal_id=77", data=data)
        assert "该交易已申请登记" in resp.get_data(as_text=True) and len(rows()) == 1
    finally:
        unregister_prefill_source("test-deals")


def test_registrar_pages(client, login, seller, registrar, buyer, app):
    login(client, seller)
    client.post("/contract-registrations/new", data=form_data())
    [reg] = rows()
    client.post(f"/contract-registrations/{reg.id}/submit")
    buyer_client = app.test_client()
    login(buyer_client, buyer)
    assert buyer_client.post(f"/contract-registrations/{reg.id}/confirm").status_code == 302
    # the seller sees no registrar buttons and cannot open the queue
    html = client.get(f"/contract-registrations/{reg.id}").get_data(as_text=True)
    assert "return-form" not in html and "approve-button" not in html
    assert client.get("/contract-registrations/queue").status_code == 403

    client2 = app.test_client()
    login(client2, registrar)
    html = client2.get("/contract-registrations/queue").get_data(as_text=True)
    assert f'data-registration="{reg.id}"' in html and "剩 15 个工作日" in html
    html = client2.get(f"/contract-registrations/{reg.id}").get_data(as_text=True)
    assert "return-form" in html and "refuse-form" in html and "approve-button" in html
    resp = client2.post(f"/contract-registrations/{reg.id}/refuse", data={"comment": ""})
    assert resp.status_code == 422
    assert "请至少选择一项不予登记的理由" in resp.get_data(as_text=True) and rows()[0].status == "submitted"
    resp = client2.post(f"/contract-registrations/{reg.id}/refuse", data={"grounds": ["other"]})
    assert "选择“其他”时必须写明理由" in resp.get_data(as_text=True) and rows()[0].status == "submitted"
    resp = client2.post(f"/contract-registrations/{reg.id}/refuse",
                        data={"grounds": ["documents_missing", "seal_mismatch"]}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "材料不齐全" in html and "签章或名称不一致" in html and rows()[0].status == "refused"


def test_pages_need_access(client, login, seller, outsider, app):
    login(client, seller)
    client.post("/contract-registrations/new", data=form_data())
    [reg] = rows()
    other = app.test_client()
    login(other, outsider)
    for url in (f"/contract-registrations/{reg.id}", f"/contract-registrations/{reg.id}/edit"):
        assert other.get(url).status_code == 404
    assert other.post(f"/contract-registrations/{reg.id}/submit").status_code == 404
    assert rows()[0].status == "draft"
    assert app.test_client().get(f"/contract-registrations/{reg.id}").status_code == 302  # to the login page


def _registered(client, headers, create, **overrides):
    reg = create(**overrides)
    client.post(f"/api/v1/contract-registrations/{reg['id']}/submit", json={}, headers=headers["seller"])
    return approve(client, headers, reg["id"]).get_json()


def test_stats_api_page_and_downloads(client, headers, create):
    from tests.registration.conftest import payload
    a = _registered(client, headers, create)
    _registered(client, headers, create, contract_type="service", subtype=None, total_amount=50_000_000,
                non_tech_items=[], project_name="=HYPERLINK(\"x\")")
    create()  # a draft does not count
    year = date.fromisoformat(a["registered_on"]).year
    body = client.get(f"/api/v1/stats/contracts?year={year}&group_by=type").get_json()
    assert body["rows"] == [
        {"key": "development", "label": "技术开发", "count": 1, "total_amount": 120_000_000, "tech_amount": 100_000_000},
        {"key": "service", "label": "技术服务", "count": 1, "total_amount": 50_000_000, "tech_amount": 50_000_000}]
    assert body["totals"] == {"count": 2, "total_amount": 170_000_000, "tech_amount": 150_000_000}
    for group, key in (("city", "3201"), ("field", "new_materials"), ("nature", "university")):
        rows_ = client.get(f"/api/v1/stats/contracts?year={year}&group_by={group}").get_json()["rows"]
        assert rows_[0]["key"] == key and rows_[0]["count"] == 2
    month = client.get(f"/api/v1/stats/contracts?year={year}&group_by=month").get_json()["rows"]
    assert sum(r["count"] for r in month) == 2 and all(len(r["key"]) == 2 for r in month)
    assert client.get(f"/api/v1/stats/contracts?year={year - 1}").get_json()["rows"] == []
    for bad in ("group_by=owner", "year=abc", "year=1800"):
        assert client.get(f"/api/v1/stats/contracts?{bad}").status_code == 422
    assert payload  # the same payload helper as the API tests

    html = client.get(f"/contract-registrations/stats?year={year}&group_by=type").get_data(as_text=True)
    assert "技术开发" in html and "¥1,000,000.00" in html and "reg-bar" in html and "<caption>" in html
    csv = client.get(f"/contract-registrations/stats.csv?year={year}&group_by=type")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.data.decode("utf-8-sig")
    assert "development,技术开发,1,120000000,100000000,1200000.0,1000000.0" in text
    xlsx = client.get(f"/contract-registrations/stats.xlsx?year={year}&group_by=type")
    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in ws[2]][:5] == ["development", "技术开发", 1, 120000000, 100000000]
    assert client.get("/contract-registrations/stats.pdf").status_code == 404


def test_export_cells_are_neutralised():
    from openpyxl import load_workbook

    from marketplace.registration.services.stats import export_rows, to_xlsx
    table = export_rows({"rows": [{"key": "=1+1", "label": "@SUM(A1)", "count": 1, "total_amount": 5,
                                   "tech_amount": 5}]}, ["k", "l", "c", "t", "te", "ty", "tey"])
    ws = load_workbook(io.BytesIO(to_xlsx(table, "t"))).active
    assert ws["A2"].data_type == "s" and ws["A2"].value == "=1+1"   # text as typed, never a formula
    assert ws["B2"].data_type == "s" and ws["B2"].value == "@SUM(A1)"


def test_data_and_trading_platforms_show_registration(client):
    html = client.get("/platforms/data").get_data(as_text=True)
    assert "registration-stats-panel" in html and "/contract-registrations/stats" in html
    html = client.get("/platforms/trading").get_data(as_text=True)
    assert "/contract-registrations/verify" in html


def test_pages_in_english(client, login, seller):
    client.get("/lang/en")
    html = client.get("/contract-registrations/stats").get_data(as_text=True)
    assert "Technology-contract registration statistics" in html and "Download XLSX" in html
    html = client.get("/contract-registrations/verify/26320101000009?code=ABCD2345").get_data(as_text=True)
    assert "No such registration number, or the check code does not match" in html
    login(client, seller)
    html = client.get("/contract-registrations/new").get_data(as_text=True)
    assert "Application for technology-contract registration" in html and "Technology development" in html
    resp = client.post("/contract-registrations/new", data=form_data(**{"seller-uscc": "123"}))
    assert "Invalid unified social credit code" in resp.get_data(as_text=True)


def test_hand_entry_starts_with_the_applicants_organisation_as_seller(client, login, seller):
    login(client, seller)
    html = client.get("/contract-registrations/new").get_data(as_text=True)
    assert 'value="南京工业技术大学"' in html and 'value="3201"' in html
