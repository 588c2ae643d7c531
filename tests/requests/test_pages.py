"""The request pages: every listing ends in an action, the form, the timeline, the queue, the export."""
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from marketplace.extensions import db
from marketplace.requests.models import ServiceRequest
from tests.requests.conftest import OLD_ID, YOUNG_ID


def test_each_listing_page_ends_in_its_action(client, world, login):
    login(client, world.company_user)
    for resource, kinds in [(world.loan, ["loan"]), (world.equity, ["equity"]), (world.insurance, ["finance_service"]), (world.incubator, ["incubation"]),
                            (world.expert, ["consulting", "secondment"]), (world.dataset, ["data_access"]),
                            (world.strain, ["material"])]:
        html = client.get(f"/resources/{resource.id}").get_data(as_text=True)
        for kind in kinds:
            assert f'data-request-kind="{kind}"' in html, (resource.title, kind)
    html = client.get(f"/resources/{world.open_dataset.id}").get_data(as_text=True)
    assert "开放获取" in html and "data-request-kind" not in html


def test_apply_for_a_loan_through_the_form(client, world, login):
    login(client, world.company_user)
    url = f"/requests/new?kind=loan&resource={world.loan.id}"
    assert client.get(url).status_code == 200
    resp = client.post(url, data={"amount": "3000000.01", "term_months": "12", "purpose": "研发",
                                  "revenue": "30000000"})
    assert resp.status_code == 200 and "最多可申请 ¥3,000,000.00" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ServiceRequest.id))) == 0
    resp = client.post(url, data={"amount": "3000000", "term_months": "12", "purpose": "研发", "revenue": "30000000"})
    assert resp.status_code == 302
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'data-status="submitted"' in html and "¥3,000,000.00" in html


def test_secondment_form_errors_sit_next_to_fields(client, world, login):
    login(client, world.company_user)
    url = f"/requests/new?kind=secondment&resource={world.expert.id}"
    data = {"researcher_email-name": "researcher@t.cn", "id_number": OLD_ID, "degree": "phd", "term_months": "24",
            "total_pay": "150000", "duties": "研发"}
    html = client.post(url, data=data).get_data(as_text=True)
    assert 'id="id_number-err"' in html and "超过 50 岁" in html
    assert db.session.scalar(sa.select(sa.func.count(ServiceRequest.id))) == 0
    resp = client.post(url, data=dict(data, id_number=YOUNG_ID))
    assert resp.status_code == 302


def test_timeline_queue_and_actions(client, world, login, make_request, make_user):
    req = make_request("consulting")
    login(client, world.uni_user)
    assert f'data-request="{req.id}"' in client.get("/requests/queue").get_data(as_text=True)
    html = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "/accept" in html and "/decline" in html
    client.post(f"/requests/{req.id}/accept")
    client.post(f"/requests/{req.id}/progress", data={"note": "已约定 12 月 3 日线下会面"})
    other = app_client(client)
    login(other, world.company_user)
    html = other.get(f"/requests/{req.id}").get_data(as_text=True)
    assert 'data-status="in_progress"' in html and "已约定 12 月 3 日线下会面" in html
    assert "/accept" not in html
    stranger = app_client(client)
    login(stranger, world.stranger)
    assert stranger.get(f"/requests/{req.id}").status_code == 404
    assert stranger.post(f"/requests/{req.id}/complete").status_code == 404


def app_client(client):
    return client.application.test_client()


def test_staff_export(client, world, login, make_request):
    make_request("loan")
    make_request("material")
    login(client, world.staff)
    csv = client.get("/requests/export.csv").get_data(as_text=True)
    assert "苏科贷" in csv and "200000000" in csv
    wb = load_workbook(io.BytesIO(client.get("/requests/export.xlsx").data))
    assert wb.active.max_row == 3
    other = app_client(client)
    login(other, world.company_user)
    assert other.get("/requests/export.csv").status_code == 403


def test_declare_a_stake(client, world, login):
    login(client, world.company_user)
    resp = client.post("/requests/stakes", data={"relation": "investor", "holder_name": "南京测试大学",
                                                 "holder_org_id": str(world.uni.id)})
    assert resp.status_code == 302
    assert "南京测试大学" in client.get("/requests/stakes").get_data(as_text=True)
    resp = client.post("/requests/stakes", data={"relation": "founder", "holder_name": "某人",
                                                 "holder_id_number": "320102198506011230"})
    assert "校验位" in resp.get_data(as_text=True)


def test_platform_pages_show_services_and_events(client, world):
    for key, text in [("startup", "入驻孵化申请"), ("finance", "科技贷款申请"), ("talent", "科技副总选派")]:
        html = client.get(f"/platforms/{key}").get_data(as_text=True)
        assert 'data-panel="services"' in html and text in html and 'data-panel="events"' in html


def test_the_researcher_is_picked_from_the_sending_units_people(client, world, login, api_token, make_user):
    login(client, world.company_user)
    token = api_token(world.company_user)
    found = client.get(f"/api/v1/users/suggest?org_id={world.uni.id}&q=李研", headers=token).get_json()["items"]
    assert found == [{"id": world.researcher.id, "name": "李研究员", "title": "李研究员 · re***@t.cn"}]
    assert client.get(f"/api/v1/users/suggest?org_id={world.uni.id}&q=re", headers=token).get_json()["items"][0][
        "id"] == world.researcher.id                                    # by the start of the address
    assert client.get(f"/api/v1/users/suggest?org_id={world.company.id}&q=李研", headers=token).get_json() == {
        "items": []}                                                    # another organisation's people only
    assert client.get(f"/api/v1/users/suggest?org_id={world.uni.id}&q=李", headers=token).get_json() == {"items": []}
    assert client.get("/api/v1/users/suggest?org_id=abc&q=李研", headers=token).status_code == 422
    assert client.application.test_client().get(f"/api/v1/users/suggest?org_id={world.uni.id}&q=李研").status_code == 401

    url = f"/requests/new?kind=secondment&resource={world.expert.id}"
    page = client.get(url).get_data(as_text=True)
    assert f'data-suggest-url="/api/v1/users/suggest?org_id={world.uni.id}"' in page
    data = {"id_number": YOUNG_ID, "degree": "phd", "term_months": "24", "total_pay": "150000", "duties": "研发"}
    outsider = make_user(org=world.company, email="colleague@t.cn", name="李同事")
    html = client.post(url, data=dict(data, researcher_email=outsider.id, **{"researcher_email-name": "李同事"})
                       ).get_data(as_text=True)                         # an id from another unit
    assert 'id="researcher_email-err"' in html and "请从建议列表中选择该单位的人员" in html
    assert 'value="李同事"' in html                                      # what was typed stays
    assert db.session.scalar(sa.select(sa.func.count(ServiceRequest.id))) == 0
    resp = client.post(url, data=dict(data, researcher_email=world.researcher.id, **{"researcher_email-name": "李研究员"}))
    assert resp.status_code == 302
    req = db.session.scalar(sa.select(ServiceRequest))
    assert req.researcher_id == world.researcher.id
