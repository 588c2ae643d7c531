"""The filing API: the contract's endpoints, bad input refused with field errors, nothing saved."""
import io

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.filing.models import Firm
from marketplace.uploads.models import Upload

from .conftest import PDF, application, manager


def body(**kw):
    data = application(**kw)
    data["firm_name"] = data.pop("name")
    data["founded_on"] = data["founded_on"].isoformat()
    return data


@pytest.fixture
def applicant(make_user, api_token):
    user = make_user()
    return user, api_token(user)


def upload(client, headers, data=PDF, name="营业执照.pdf"):
    return client.post("/api/v1/uploads", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name)})


def test_apply_return_resubmit_approve_through_the_api(client, applicant, reviewer, api_token):
    user, h = applicant
    rh = api_token(reviewer)
    doc = upload(client, h).get_json()["id"]
    resp = client.post("/api/v1/filings", json={"firm_name": "草稿事务所"}, headers=h)
    assert resp.status_code == 201 and resp.get_json()["status"] == "draft"
    fid = resp.get_json()["id"]
    resp = client.patch(f"/api/v1/filings/{fid}", json={**body(), "document_ids": [doc]}, headers=h)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["actions"] == ["submit"]
    assert client.post(f"/api/v1/filings/{fid}/submit", headers=h).get_json()["status"] == "submitted"
    assert client.post(f"/api/v1/filings/{fid}/start-review", headers=h).status_code == 403
    assert client.post(f"/api/v1/filings/{fid}/start-review", headers=rh).status_code == 200
    resp = client.post(f"/api/v1/filings/{fid}/return", json={"comments": {"managers": "请核对证书编号"}}, headers=rh)
    assert resp.status_code == 200 and resp.get_json()["status"] == "returned"
    got = client.get(f"/api/v1/filings/{fid}", headers=h).get_json()
    assert got["comments"][0]["section"] == "managers" and got["comments"][0]["body"] == "请核对证书编号"
    assert client.post(f"/api/v1/filings/{fid}/submit", headers=h).status_code == 200
    client.post(f"/api/v1/filings/{fid}/start-review", headers=rh)
    resp = client.post(f"/api/v1/filings/{fid}/approve", headers=rh)
    assert resp.status_code == 200
    number = resp.get_json()["number"]
    assert number.startswith("苏技经备〔") and number.endswith("0001号")
    verify = client.get(f"/api/v1/firms/verify/{number}")
    assert verify.status_code == 200 and verify.get_json()["status"] == "valid"
    public = client.get(f"/api/v1/firms/{fid}").get_json()
    assert public["number"] == number and len(public["managers"]) == 3
    assert "id_number" not in str(public)
    assert client.get("/api/v1/firms/verify/苏技经备〔2026〕9999号").status_code == 404


@pytest.mark.parametrize("change,field", [
    ({"uscc": "913201000000000000"}, "uscc"),
    ({"managers": [manager(), manager()]}, "managers"),
    ({"managers": [manager(id_number="320102199003070010"), manager(), manager()]}, "managers.0.id_number"),
])
def test_submit_refuses_bad_numbers_with_field_errors(client, applicant, change, field):
    user, h = applicant
    doc = upload(client, h).get_json()["id"]
    fid = client.post("/api/v1/filings", json={**body(**change), "document_ids": [doc]}, headers=h).get_json()["id"]
    resp = client.post(f"/api/v1/filings/{fid}/submit", headers=h)
    assert resp.status_code == 422
    assert field in resp.get_json()["errors"]
    assert db.session.get(Firm, fid).status == "draft"


@pytest.mark.parametrize("payload,field", [
    ({"premises_m2": "100"}, "premises_m2"), ({"premises_m2": 10**12}, "premises_m2"),
    ({"city": "北京"}, "city"), ({"founded_on": "2020-13-01"}, "founded_on"),
    ({"firm_name": "名" * 500}, "firm_name"), ({"firm_name": "\ud800"}, "firm_name"),
    ({"managers": "x"}, "managers"), ({"managers": [{"level": "master"}]}, "managers.0.level"),
    ({"document_ids": [2**40]}, "document_ids"), ({"firm_name": "a\x00b"}, "firm_name"),
])
def test_bad_input_is_422_and_saves_nothing(client, applicant, payload, field):
    _user, h = applicant
    resp = client.post("/api/v1/filings", json=payload, headers=h)
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["errors"]
    assert db.session.scalar(sa.select(sa.func.count(Firm.id))) == 0


def test_others_documents_and_filings(client, applicant, make_user, api_token):
    _user, h = applicant
    oh = api_token(make_user())
    theirs = upload(client, oh).get_json()["id"]
    resp = client.post("/api/v1/filings", json={"document_ids": [theirs]}, headers=h)
    assert resp.status_code == 422 and "document_ids" in resp.get_json()["errors"]
    fid = client.post("/api/v1/filings", json={}, headers=oh).get_json()["id"]
    assert client.get(f"/api/v1/filings/{fid}", headers=h).status_code == 404
    assert client.patch(f"/api/v1/filings/{fid}", json={"firm_name": "x"}, headers=h).status_code == 404
    assert client.post(f"/api/v1/filings/{fid}/submit", headers=h).status_code == 404
    assert client.get(f"/api/v1/firms/{fid}").status_code == 404  # a draft is not public
    assert client.post("/api/v1/filings", json={}).status_code == 401


def test_renamed_exe_and_huge_documents_refused(client, applicant):
    _user, h = applicant
    assert upload(client, h, data=b"MZ\x90\x00" + b"\x00" * 100, name="licence.pdf").status_code == 422
    assert upload(client, h, data=PDF + b"0" * (20 * 1024 * 1024)).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Upload.id))) == 0


def test_directory_filters_and_search(app, client, make_filing):
    app.config["AUTO_INDEX"] = True
    a = make_filing("approved", city="苏州", name="苏州创新技术经理人事务所",
                    managers=[manager("senior", name="欧阳明"), manager(), manager()])
    b = make_filing("approved", city="南京", managers=[manager("junior"), manager("junior"), manager("junior")])
    make_filing("under_review", city="南京")
    items = client.get("/api/v1/firms").get_json()
    assert items["total"] == 2
    assert [f["id"] for f in client.get("/api/v1/firms?city=苏州").get_json()["items"]] == [a.id]
    assert [f["id"] for f in client.get("/api/v1/firms?level=senior").get_json()["items"]] == [a.id]
    assert [f["id"] for f in client.get("/api/v1/firms?q=欧阳明").get_json()["items"]] == [a.id]
    assert [f["id"] for f in client.get("/api/v1/firms?q=苏州创新").get_json()["items"]] == [a.id]
    assert client.get("/api/v1/firms?city=北京").status_code == 422
    assert client.get("/api/v1/firms?per_page=1000").status_code == 422
    assert b.id in [f["id"] for f in items["items"]]


def test_annual_report_api(client, make_filing, api_token, make_user):
    from datetime import date
    firm = make_filing("approved")
    h = api_token(firm.applicant)
    year = date.today().year
    resp = client.post(f"/api/v1/firms/{firm.id}/annual-reports", json={"year": year}, headers=h)
    assert resp.status_code == 201, resp.get_json()
    report = resp.get_json()
    assert report["deals_brokered"] == 0 and report["status"] == "draft"
    assert client.post(f"/api/v1/firms/{firm.id}/annual-reports", json={"year": year}, headers=h).status_code == 409
    assert client.post(f"/api/v1/firms/{firm.id}/annual-reports", json={"year": 1990}, headers=h).status_code == 422
    resp = client.patch(f"/api/v1/annual-reports/{report['id']}", json={"off_deals": 2, "off_contract_amount": 1.5},
                        headers=h)
    assert resp.status_code == 422
    resp = client.patch(f"/api/v1/annual-reports/{report['id']}", json={"off_deals": 2, "notes": "线下撮合"}, headers=h)
    assert resp.get_json()["off_deals"] == 2
    other = api_token(make_user())
    assert client.post(f"/api/v1/annual-reports/{report['id']}/submit", headers=other).status_code == 404
    resp = client.post(f"/api/v1/annual-reports/{report['id']}/submit", headers=h)
    assert resp.status_code == 200 and resp.get_json()["status"] == "submitted"
    assert client.patch(f"/api/v1/annual-reports/{report['id']}", json={"off_deals": 3}, headers=h).status_code == 409


def test_openapi_served_twice_keeps_nested_schemas(client):
    for _ in range(2):
        schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
        assert {"FilingManagerOut", "FilingCommentOut", "FirmManagerPublic", "FirmFigures"} <= set(schemas)


def test_admin_steps_through_the_api(client, make_filing, api_token, reviewer, admin):
    firm = make_filing("approved")
    rh, ah = api_token(reviewer), api_token(admin)
    assert client.post(f"/api/v1/filings/{firm.id}/suspend", json={"reason": "x"}, headers=rh).status_code == 403
    resp = client.post(f"/api/v1/filings/{firm.id}/suspend", json={}, headers=ah)
    assert resp.status_code == 422 and "reason" in resp.get_json()["errors"]
    resp = client.post(f"/api/v1/filings/{firm.id}/suspend", json={"reason": "年报逾期"}, headers=ah)
    assert resp.status_code == 200 and resp.get_json()["actions"] == ["reinstate", "revoke"]
    assert client.get(f"/api/v1/firms/verify/{firm.number}").get_json()["status"] == "suspended"
    assert client.post(f"/api/v1/filings/{firm.id}/reinstate", headers=ah).get_json()["status"] == "approved"
    assert client.post(f"/api/v1/filings/{firm.id}/revoke", json={"reason": "违规"}, headers=ah).status_code == 200
    assert client.get(f"/api/v1/firms/verify/{firm.number}").get_json()["status"] == "revoked"
    assert client.post(f"/api/v1/filings/{firm.id}/reinstate", headers=ah).status_code == 409
    assert client.get("/api/v1/firms").get_json()["total"] == 0  # revoked firms leave the directory
