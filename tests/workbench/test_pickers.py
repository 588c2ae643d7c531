"""Pickers instead of codes: a broker names a deal's buyer and seller by name or USCC (suggested from
GET /api/v1/organisations/suggest), never by an internal number; a name that fits no organisation is an
error next to its field and creates nothing."""
import re

import pytest

from marketplace.extensions import db
from marketplace.trading.models import Deal

USCC = "91320500MA1MXXX01X"


@pytest.fixture
def coded(world):
    world.buyer.credit_code = USCC
    db.session.commit()
    return world


def test_suggestions_by_part_of_the_name_or_the_start_of_the_uscc(client, coded, api_token):
    token = api_token(coded.broker)
    items = client.get("/api/v1/organisations/suggest?q=某科技", headers=token).get_json()["items"]
    assert [i["name"] for i in items] == ["苏州某科技公司"] and items[0]["title"] == "苏州某科技公司 · 苏州"
    items = client.get("/api/v1/organisations/suggest?q=９１３２０５００ｍａ", headers=token).get_json()["items"]  # full-width
    assert [(i["id"], i["uscc"]) for i in items] == [(coded.buyer.id, USCC)]
    assert client.get("/api/v1/organisations/suggest?q=%25", headers=token).get_json()["items"] == []  # no wildcard
    assert client.get("/api/v1/organisations/suggest?q=" + "某" * 201, headers=token).status_code == 422
    assert client.get("/api/v1/organisations/suggest?q=某科技").status_code == 401


def test_a_broker_picks_both_parties_by_name_and_uscc(client, coded, login):
    login(client, coded.broker)
    html = client.get(f"/trading/deals/new?achievement_id={coded.private.id}").get_data(as_text=True)
    assert 'data-suggest-url="/api/v1/organisations/suggest"' in html and "单位编号" not in html
    assert '<label for="buyer_org_id-name">' in html
    resp = client.post(f"/trading/deals/new?achievement_id={coded.private.id}", data={
        "mode": "transfer", "amount": "300,000", "buyer_org_id-name": USCC.lower(),
        "seller_org_id-name": "南京某大学"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    deal = db.session.query(Deal).one()
    assert (deal.buyer_org_id, deal.seller_org_id, deal.broker_user_id, deal.amount) == (
        coded.buyer.id, coded.seller.id, coded.broker.id, 30_000_000)


def test_a_picked_id_wins_and_an_unknown_name_is_an_error_next_to_its_field(client, coded, login):
    login(client, coded.broker)
    url = f"/trading/deals/new?achievement_id={coded.private.id}"
    resp = client.post(url, data={"mode": "transfer", "amount": "300,000", "buyer_org_id": str(coded.buyer.id),
                                  "buyer_org_id-name": "苏州某科技公司", "seller_org_id-name": "南京某大学（笔误）"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and db.session.query(Deal).count() == 0
    field = html.split('id="seller_org_id-name"')[1].split("</div>")[0]
    assert "没有名称或统一社会信用代码为“南京某大学（笔误）”的单位" in field
    assert 'value="苏州某科技公司"' in html  # what was picked stays picked


def test_contract_registration_picks_the_city_by_name_and_answers_in_chinese(client, login, seller):
    from marketplace.registration.models import ContractRegistration
    from tests.registration.test_pages import form_data
    login(client, seller)
    html = client.get("/contract-registrations/new").get_data(as_text=True)
    select = html.split('name="buyer-city_code"')[1].split("</select>")[0]
    assert '<optgroup label="江苏省"><option value="3201">南京（3201）</option>' in select
    assert '<option value="3101">上海市（3101）</option>' in select  # a party outside Jiangsu
    assert "GB/T 2260，4 位" not in html
    for code in ("", "32"):
        resp = client.post("/contract-registrations/new", data=form_data(**{"buyer-city_code": code}))
        page = resp.get_data(as_text=True)
        assert db.session.query(ContractRegistration).count() == 0
        error = page.split('id="buyer-city_code-err"')[1].split("</p>")[0]
        assert "Field" not in error and "field" not in error and re.search(r"[\u4e00-\u9fff]", error), error
    resp = client.post("/contract-registrations/new", data=form_data(**{"buyer-city_code": "3205"}))
    assert resp.status_code == 302
    assert "苏州（3205）" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_in_english_the_city_picker_names_jiangsu_cities_in_english(client, login, seller):
    login(client, seller)
    client.get("/lang/en")
    html = client.get("/contract-registrations/new").get_data(as_text=True)
    assert ">Suzhou（3205）</option>" in html and "Jiangsu" in html


def test_a_filing_submitted_without_documents_says_so_at_the_top_and_next_to_the_field(client, make_user, login):
    from marketplace.filing.models import Firm
    from tests.filing.conftest import application
    from tests.filing.test_pages import form_data
    login(client, make_user())
    firm_id = int(re.search(r"/filings/(\d+)/edit", client.post("/filings/new").headers["Location"]).group(1))
    resp = client.post(f"/filings/{firm_id}/edit", data=form_data(application(), submit="1"),
                       content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    top = html.split("<main")[1].split("<form")[0]
    assert "未能保存或提交：请按页面中标出的提示修改" in top
    field = html.split('id="section-documents"')[1].split("</fieldset>")[0]
    assert "请上传营业执照和技术经理人证书等证明材料" in field and 'type="file" name="documents" multiple' in field
    assert db.session.get(Firm, firm_id).status == "draft"
