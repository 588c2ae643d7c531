"""The contract-registration API: an application through every transition, by role."""
from datetime import date

import pytest

from marketplace.registration import rules
from tests.registration.conftest import approve, payload

API = "/api/v1/contract-registrations"


def post(client, path, headers, json=None):
    return client.post(f"{API}{path}", json=json or {}, headers=headers)


def test_application_draft_submit_return_resubmit_approve(client, headers, create):
    reg = create()
    assert reg["status"] == "draft" and reg["tech_amount"] == 100_000_000 and reg["number"] is None
    assert reg["seller"]["uscc"] and reg["due_on"] is None

    resp = post(client, f"/{reg['id']}/submit", headers["seller"])
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "submitted"
    today = date.fromisoformat(body["submitted_on"])
    assert date.fromisoformat(body["due_on"]) == rules.due_date(today, 100_000_000)[0]

    resp = post(client, f"/{reg['id']}/return", headers["registrar"], {"comment": "请补充技术方案"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "returned"
    assert resp.get_json()["due_on"] is None and resp.get_json()["comment"] == "请补充技术方案"

    resp = client.patch(f"{API}/{reg['id']}", json={"total_amount": 150_000_000}, headers=headers["seller"])
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["tech_amount"] == 130_000_000

    resp = post(client, f"/{reg['id']}/submit", headers["seller"])
    assert resp.status_code == 200 and resp.get_json()["status"] == "submitted" and resp.get_json()["due_on"]

    resp = approve(client, headers, reg["id"])
    body = resp.get_json()
    assert resp.status_code == 200 and body["status"] == "registered", body
    assert len(body["number"]) == 14 and body["number"].isdigit()
    year = date.fromisoformat(body["registered_on"]).year % 100
    assert body["number"] == f"{year:02d}320101000001"  # seller in 南京 (3201), point 01, first serial
    assert body["certificate_url"].endswith(f"/contract-registrations/{reg['id']}/certificate.pdf")
    assert body["vat_exempt"] is True


@pytest.mark.parametrize("who, path, body", [
    ("outsider", "/submit", None), ("registrar", "/submit", None),
])
def test_only_the_applicant_submits(client, headers, create, who, path, body):
    reg = create()
    resp = post(client, f"/{reg['id']}{path}", headers[who], body)
    assert resp.status_code in (403, 404)
    assert client.get(f"{API}/{reg['id']}", headers=headers["seller"]).get_json()["status"] == "draft"


@pytest.mark.parametrize("action, body", [
    ("return", {"comment": "x"}), ("approve", {}), ("refuse", {"grounds": ["documents_missing"]}),
])
def test_only_registrars_decide(client, headers, create, action, body):
    reg = create()
    post(client, f"/{reg['id']}/submit", headers["seller"])
    for who in ("seller", "outsider"):
        resp = post(client, f"/{reg['id']}/{action}", headers[who], body)
        assert resp.status_code in (403, 404), (who, resp.get_json())
    assert client.get(f"{API}/{reg['id']}", headers=headers["seller"]).get_json()["status"] == "submitted"
    post(client, f"/{reg['id']}/confirm", headers["buyer"])
    resp = post(client, f"/{reg['id']}/{action}", headers["registrar"], body)
    assert resp.status_code == 200, resp.get_json()


def test_a_draft_cannot_be_decided(client, headers, create):
    reg = create()
    assert post(client, f"/{reg['id']}/approve", headers["registrar"]).status_code == 409


def test_outsiders_do_not_see_applications(client, headers, create):
    reg = create()
    assert client.get(f"{API}/{reg['id']}", headers=headers["outsider"]).status_code == 404
    assert client.get(f"{API}/{reg['id']}").status_code == 401
    assert client.patch(f"{API}/{reg['id']}", json={"project_name": "x"}, headers=headers["outsider"]).status_code == 404


def test_refusal_needs_grounds_and_other_needs_a_comment(client, headers, create):
    reg = create()
    post(client, f"/{reg['id']}/submit", headers["seller"])
    for body in ({}, {"grounds": []}, {"grounds": ["nonsense"]}, {"grounds": ["other"]},
                 {"grounds": ["other"], "comment": "   "}):
        resp = post(client, f"/{reg['id']}/refuse", headers["registrar"], body)
        assert resp.status_code == 422, (body, resp.get_json())
    assert client.get(f"{API}/{reg['id']}", headers=headers["seller"]).get_json()["status"] == "submitted"
    resp = post(client, f"/{reg['id']}/refuse", headers["registrar"],
                {"grounds": ["documents_missing", "other"], "comment": "合同未盖章"})
    body = resp.get_json()
    assert resp.status_code == 200 and body["status"] == "refused"
    assert body["grounds"] == ["documents_missing", "other"] and body["number"] is None


def test_return_needs_a_comment(client, headers, create):
    reg = create()
    post(client, f"/{reg['id']}/submit", headers["seller"])
    assert post(client, f"/{reg['id']}/return", headers["registrar"], {"comment": ""}).status_code == 422
    assert post(client, f"/{reg['id']}/return", headers["registrar"], {}).status_code == 422


@pytest.mark.parametrize("overrides, field", [
    ({"non_tech_items": [{"name": "设备", "amount": 130_000_000}]}, "non_tech_items"),
    ({"total_amount": -1}, "total_amount"),
    ({"total_amount": 1200.5}, "total_amount"),
    ({"total_amount": "120000"}, "total_amount"),
    ({"total_amount": True}, "total_amount"),
    ({"non_tech_items": [{"name": "设备", "amount": -5}]}, "non_tech_items.0.amount"),
    ({"non_tech_items": [{"name": "设备", "amount": 5.0}]}, "non_tech_items.0.amount"),
    ({"seller": {"name": "x", "uscc": "91320100MA1MG8AB1X", "city_code": "3201", "nature": "university"}},
     "seller.uscc"),
    ({"buyer": {"name": "x", "uscc": "123", "city_code": "3201", "nature": "enterprise"}}, "buyer.uscc"),
    ({"buyer": {"name": "x", "uscc": "91320500MA1MXXX01", "city_code": "3299", "nature": "enterprise"}},
     "buyer.city_code"),
    ({"contract_type": "sale"}, "contract_type"),
    ({"contract_type": "development", "subtype": "patent"}, "subtype"),
    ({"contract_type": "transfer", "subtype": None}, "subtype"),
    ({"tech_field": "magic"}, "tech_field"),
    ({"valid_until": "2026-01-01"}, "valid_until"),
    ({"signed_on": "2026-02-30"}, "signed_on"),
    ({"project_name": ""}, "project_name"),
    ({"project_name": "x" * 201}, "project_name"),
    ({"total_amount": 10**16}, "total_amount"),
    ({"deal_id": 42}, "deal_id"),
])
def test_bad_applications_are_422_and_save_nothing(client, headers, count_rows, overrides, field):
    data = payload(**overrides)
    resp = client.post(API, json=data, headers=headers["seller"])
    assert resp.status_code == 422, resp.get_json()
    errors = resp.get_json()["errors"]
    assert any(k == field or k.startswith(field + ".") for k in errors), errors
    assert count_rows() == 0


def test_odd_unicode_is_refused_and_saves_nothing(client, headers, count_rows):
    for name in ("a\x00b", "a\ud800b"):
        resp = client.post(API, json=payload(project_name=name), headers=headers["seller"])
        assert resp.status_code in (400, 422), resp.get_json()
    assert count_rows() == 0


def test_missing_fields_and_wrong_shapes_are_422(client, headers, count_rows):
    for body in ({}, {"project_name": "x"}, [], "text", {**payload(), "buyer": "x"},
                 {**payload(), "non_tech_items": {"a": 1}}, {**payload(), "document_ids": ["a"]}):
        resp = client.post(API, json=body, headers=headers["seller"])
        assert resp.status_code == 422, (body, resp.get_json())
    assert count_rows() == 0


def test_patch_with_bad_values_changes_nothing(client, headers, create):
    reg = create()
    resp = client.patch(f"{API}/{reg['id']}", json={"non_tech_items": [{"name": "设备", "amount": 999_999_999}]},
                        headers=headers["seller"])
    assert resp.status_code == 422
    after = client.get(f"{API}/{reg['id']}", headers=headers["seller"]).get_json()
    assert after["tech_amount"] == 100_000_000 and after["non_tech_items"] == reg["non_tech_items"]


def test_a_submitted_application_cannot_be_edited(client, headers, create):
    reg = create()
    post(client, f"/{reg['id']}/submit", headers["seller"])
    resp = client.patch(f"{API}/{reg['id']}", json={"project_name": "新名称"}, headers=headers["seller"])
    assert resp.status_code == 409


def test_expert_review_gets_30_working_days(client, headers, create):
    reg = create(total_amount=500_000_000, non_tech_items=[])
    body = post(client, f"/{reg['id']}/submit", headers["seller"]).get_json()
    submitted = date.fromisoformat(body["submitted_on"])
    assert date.fromisoformat(body["due_on"]) == rules.add_working_days(submitted, 30)[0]


def test_queue_lists_overdue_first(client, headers, create, app):
    from marketplace.extensions import db
    from marketplace.registration.models import ContractRegistration
    first, second = create(), create(project_name="第二份")
    for reg in (first, second):
        post(client, f"/{reg['id']}/submit", headers["seller"])
    late = db.session.get(ContractRegistration, second["id"])
    late.submitted_on, late.due_on = date(2026, 1, 5), date(2026, 1, 26)
    db.session.commit()
    assert client.get(f"{API}/queue", headers=headers["seller"]).status_code == 403
    items = client.get(f"{API}/queue", headers=headers["registrar"]).get_json()["items"]
    assert [i["id"] for i in items] == [second["id"], first["id"]]
    assert items[0]["days_left"] < 0 < items[1]["days_left"]


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(client, headers) -> int:
    import io
    resp = client.post("/api/v1/uploads", data={"file": (io.BytesIO(PDF), "contract.pdf", "application/pdf")},
                       headers=headers, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def test_documents_are_the_applicants_uploads(client, headers, count_rows, app, login, registrar, outsider):
    mine = _upload(client, headers["seller"])
    theirs = _upload(client, headers["outsider"])
    for ids in ([theirs], [mine, theirs], [2**31 - 1]):
        resp = client.post(API, json=payload(document_ids=ids), headers=headers["seller"])
        assert resp.status_code == 422 and "document_ids" in resp.get_json()["errors"], resp.get_json()
    assert count_rows() == 0
    resp = client.post(API, json=payload(document_ids=[mine]), headers=headers["seller"])
    assert resp.status_code == 201 and resp.get_json()["document_ids"] == [mine]
    # the registrar may read the applicant's documents; an outsider may not
    for user, codes in ((registrar, (200,)), (outsider, (403, 404))):
        web = app.test_client()
        login(web, user)
        assert web.get(f"/uploads/{mine}").status_code in codes


def test_a_registrar_does_not_review_own_organisations_application(client, make_user, seller_org, api_token, create,
                                                                  headers):
    colleague = make_user(org=seller_org, roles=("reviewer",), email="colleague@test.cn")
    reg = create()
    post(client, f"/{reg['id']}/submit", headers["seller"])
    resp = post(client, f"/{reg['id']}/approve", api_token(colleague))
    assert resp.status_code == 403
    assert client.get(f"{API}/{reg['id']}", headers=headers["seller"]).get_json()["status"] == "submitted"


def test_the_database_keeps_the_technology_amount_honest(app, create):
    import sqlalchemy as sa

    from marketplace.extensions import db
    from marketplace.registration.models import ContractRegistration
    reg = create()
    for values in ({"tech_amount": 1}, {"non_tech_amount": 130_000_000, "tech_amount": -10_000_000},
                   {"total_amount": -1}):
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.update(ContractRegistration).where(ContractRegistration.id == reg["id"])
                               .values(**values))
            db.session.flush()
        db.session.rollback()
