"""/api/v1/requests: create any kind, follow the steps, problem+json on bad input, others' ids hidden."""
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.requests.models import ServiceRequest
from tests.requests.conftest import OLD_ID, VALID, YUAN


def body(world, kind, **changes):
    resource, data = VALID[kind](world)
    return {**data, "kind": kind, "resource_id": resource.id, "submit": True, **changes}


def test_loan_through_the_api(client, world, api_token):
    company, staff, bank = api_token(world.company_user), api_token(world.staff), api_token(world.bank_user)
    resp = client.post("/api/v1/requests", json=body(world, "loan"), headers=company)
    assert resp.status_code == 201, resp.get_json()
    req = resp.get_json()
    assert req["status"] == "submitted" and req["amount"] == 200_000_000 and req["term_months"] == 12
    assert [s["status"] for s in req["timeline"]] == ["draft", "submitted"]
    rid = req["id"]
    assert client.post(f"/api/v1/requests/{rid}/accept", headers=bank).status_code == 403
    assert client.post(f"/api/v1/requests/{rid}/accept", headers=staff).get_json()["status"] == "bank_review"
    resp = client.post(f"/api/v1/requests/{rid}/progress", json={"note": "银行已受理"}, headers=bank)
    assert resp.get_json()["timeline"][-1]["note"] == "银行已受理"
    assert client.post(f"/api/v1/requests/{rid}/grant", headers=bank).get_json()["status"] == "completed"
    seen = client.get(f"/api/v1/requests/{rid}", headers=company).get_json()
    assert seen["status"] == "completed" and seen["closed_at"]


def test_loan_above_the_cap_is_a_field_error(client, world, api_token):
    resp = client.post("/api/v1/requests", json=body(world, "loan", amount=3_000_000 * YUAN + 1),
                       headers=api_token(world.company_user))
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
    assert "¥3,000,000.00" in resp.get_json()["errors"]["amount"][0]
    assert db.session.scalar(sa.select(sa.func.count(ServiceRequest.id))) == 0


def test_bad_envelopes(client, world, api_token):
    h = api_token(world.company_user)
    for payload, field in [({"kind": "loan"}, "resource_id"), ({"kind": "teleport", "resource_id": 1}, "kind"),
                           ({"kind": "loan", "resource_id": "x"}, "resource_id"),
                           ({"kind": "loan", "resource_id": 2**40}, "resource_id"),
                           (body(world, "loan", amount=12.5), "amount"),
                           (body(world, "secondment", id_number=OLD_ID), "id_number"),
                           (body(world, "consulting", resource_id=world.loan.id), "resource_id")]:
        resp = client.post("/api/v1/requests", json=payload, headers=h)
        assert resp.status_code == 422, (payload, resp.get_json())
        assert field in resp.get_json()["errors"], (payload, resp.get_json())
    assert client.post("/api/v1/requests", data="[]", content_type="application/json", headers=h).status_code == 422
    assert client.post("/api/v1/requests", json=body(world, "loan")).status_code == 401
    assert db.session.scalar(sa.select(sa.func.count(ServiceRequest.id))) == 0


def test_others_cannot_see_or_act(client, world, api_token, make_request):
    req = make_request("consulting")
    stranger = api_token(world.stranger)
    assert client.get(f"/api/v1/requests/{req.id}", headers=stranger).status_code == 404
    assert client.post(f"/api/v1/requests/{req.id}/accept", headers=stranger).status_code == 404
    assert client.get("/api/v1/requests/999999", headers=stranger).status_code == 404
    assert client.post(f"/api/v1/requests/{req.id}/decline", json={"reason": ""},
                       headers=api_token(world.uni_user)).status_code == 422
    db.session.refresh(req)
    assert req.status == "submitted"


def test_secondment_through_the_api(client, world, api_token):
    company, uni, researcher = (api_token(u) for u in (world.company_user, world.uni_user, world.researcher))
    rid = client.post("/api/v1/requests", json=body(world, "secondment"), headers=company).get_json()["id"]
    assert client.post(f"/api/v1/requests/{rid}/accept", headers=uni).get_json()["status"] == "agreement"
    for h in (company, researcher):
        assert client.post(f"/api/v1/requests/{rid}/confirm", headers=h).get_json()["status"] == "agreement"
    out = client.post(f"/api/v1/requests/{rid}/confirm", headers=uni).get_json()
    assert out["status"] == "in_progress" and out["confirmed_by"] == ["company", "researcher", "sending_unit"]
    assert "id_hash" not in out["details"] and "id_number" not in out["details"]


def test_the_handlers_note_on_accept_and_grant_is_kept_and_told(client, world, api_token, login):
    from marketplace.notifications.models import Notification
    company, staff, bank = api_token(world.company_user), api_token(world.staff), api_token(world.bank_user)
    rid = client.post("/api/v1/requests", json=body(world, "loan"), headers=company).get_json()["id"]
    resp = client.post(f"/api/v1/requests/{rid}/accept", json={"note": "营业收入已核实"}, headers=staff)
    assert resp.get_json()["timeline"][-1]["note"] == "营业收入已核实"
    assert client.post(f"/api/v1/requests/{rid}/grant", json={"note": 5}, headers=bank).status_code == 422
    assert client.get(f"/api/v1/requests/{rid}", headers=company).get_json()["status"] == "bank_review"
    resp = client.post(f"/api/v1/requests/{rid}/grant", json={"note": "额度 200 万元，期限一年"}, headers=bank)
    assert resp.get_json()["timeline"][-1]["note"] == "额度 200 万元，期限一年"
    bodies = db.session.scalars(sa.select(Notification.body).where(
        Notification.user_id == world.company_user.id)).all()
    assert "营业收入已核实" in bodies and "额度 200 万元，期限一年" in bodies

    # the web page: accepting a consulting request with a note from the form
    rid = client.post("/api/v1/requests", json=body(world, "consulting"), headers=company).get_json()["id"]
    web = client.application.test_client()
    login(web, world.uni_user)
    assert 'data-step-form="accept"' in web.get(f"/requests/{rid}").get_data(as_text=True)
    web.post(f"/requests/{rid}/accept", data={"note": "下周二上门交流"})
    timeline = client.get(f"/api/v1/requests/{rid}", headers=company).get_json()["timeline"]
    assert timeline[-1]["action"] == "accept" and timeline[-1]["note"] == "下周二上门交流"
