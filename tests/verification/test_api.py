"""The verification API: claim, decide, read; bad input answers 4xx and changes nothing."""
import io

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.verification.models import OrganisationIdentity, Qualification
from marketplace.verification.services import today

from .conftest import PDF


def qcount():
    """Claims made by the tests (not the verified business licences the fixtures' organisations hold)."""
    return db.session.scalar(sa.select(sa.func.count(Qualification.id)).where(
        ~((Qualification.kind == "in_province") & (Qualification.status == "verified"))))


def upload(client, headers):
    resp = client.post("/api/v1/uploads", headers=headers,
                       data={"file": (io.BytesIO(PDF), "入库证明.pdf")}, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def test_claim_verify_through_the_api(client, company, reviewer, api_token):
    org, admin = company
    h_admin, h_rev = api_token(admin), api_token(reviewer)
    doc = upload(client, h_admin)
    number = f"{today().year}320505{org.id:06d}"
    resp = client.post(f"/api/v1/organisations/{org.id}/qualifications", headers=h_admin,
                       json={"kind": "sme", "number": number, "document_ids": [doc]})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "claimed" and body["valid_until"] == f"{today().year}-12-31" and body["document_ids"] == [doc]
    view = client.get(f"/api/v1/organisations/{org.id}/verification", headers=h_admin).get_json()
    sme = next(f for f in view["flags"] if f["kind"] == "sme")
    assert sme["applies"] is False and sme["code"] == "pending" and sme["how_to"]
    # the claimant cannot verify it; a reviewer must give a reason to reject
    assert client.post(f"/api/v1/qualifications/{body['id']}/verify", headers=h_admin, json={}).status_code == 403
    resp = client.post(f"/api/v1/qualifications/{body['id']}/reject", headers=h_rev, json={})
    assert resp.status_code == 422 and "reason" in resp.get_json()["errors"]
    resp = client.post(f"/api/v1/qualifications/{body['id']}/verify", headers=h_rev, json={})
    assert resp.status_code == 200 and resp.get_json()["status"] == "verified"
    assert client.post(f"/api/v1/qualifications/{body['id']}/verify", headers=h_rev, json={}).status_code == 409
    view = client.get(f"/api/v1/organisations/{org.id}/verification", headers=h_admin).get_json()
    assert next(f for f in view["flags"] if f["kind"] == "sme")["applies"] is True


def test_identity_through_the_api(client, company, uscc_for, api_token):
    org, admin = company
    code = uscc_for("320102")
    resp = client.put(f"/api/v1/organisations/{org.id}/identity", headers=api_token(admin),
                      json={"uscc": code.lower(), "legal_name": "苏州某某科技有限公司", "legal_rep": "王五"})
    assert resp.status_code == 200 and resp.get_json()["uscc"] == code
    resp = client.put(f"/api/v1/organisations/{org.id}/identity", headers=api_token(admin),
                      json={"uscc": code[:-1] + ("1" if code[-1] != "1" else "2"), "legal_name": "x", "legal_rep": "y"})
    assert resp.status_code == 422 and "uscc" in resp.get_json()["errors"]
    assert db.session.get(OrganisationIdentity, org.id).uscc == code


BAD_BODIES = [
    {"kind": "sme", "number": "2026320500012345"},                                   # no documents
    {"kind": "gold", "number": "1", "document_ids": [1]},                            # unknown kind
    {"kind": "sme", "number": 2026320500012345, "document_ids": [1]},                # a number, not text
    {"kind": "sme", "number": "²⁰²⁶320500012345", "document_ids": []},               # Unicode digits, no docs
    {"kind": "sme", "number": "\ud800", "document_ids": [1]},                        # lone surrogate
    {"kind": "sme", "number": "a\x00b", "document_ids": [1]},                        # NUL
    {"kind": "sme", "number": "x" * 1000, "document_ids": [1]},
    {"kind": "sme", "number": "2026320500012345", "document_ids": [2**40]},
    {"kind": "sme", "number": "2026320500012345", "document_ids": "1"},
    {"kind": "high_tech", "number": "GR202432001234", "document_ids": [1]},          # no issue date
    {"kind": "high_tech", "number": "GR202432001234", "issued_on": "2024-13-01", "document_ids": [1]},
    {"kind": "sme", "number": "2026320500012345", "valid_until": "2027-06-30", "document_ids": [1]},
    [], "x", None,
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_claims_are_4xx_and_change_nothing(client, company, api_token, body):
    org, admin = company
    headers = api_token(admin)
    resp = client.post(f"/api/v1/organisations/{org.id}/qualifications", headers=headers, json=body)
    assert 400 <= resp.status_code < 500, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    assert qcount() == 0


def test_others_ids(client, company, make_org, make_user, api_token, reviewer):
    org, admin = company
    outsider = make_user(make_org(kind="enterprise"), org_admin=True)
    h = api_token(outsider)
    assert client.get(f"/api/v1/organisations/{org.id}/verification", headers=h).status_code == 403
    assert client.post(f"/api/v1/organisations/{org.id}/qualifications", headers=h,
                       json={"kind": "in_province", "document_ids": [1]}).status_code == 403
    assert client.put(f"/api/v1/organisations/{org.id}/identity", headers=h,
                      json={"uscc": "x", "legal_name": "x", "legal_rep": "y"}).status_code == 403
    assert client.get("/api/v1/organisations/2147483647/verification", headers=h).status_code == 404
    assert client.get("/api/v1/qualifications/99999/verify", headers=h).status_code == 405
    assert client.post("/api/v1/qualifications/99999/verify", headers=api_token(reviewer), json={}).status_code == 404
    assert client.get(f"/api/v1/organisations/{org.id}/verification").status_code == 401
    # a plain member (not the org admin) cannot change the identity
    member = make_user(org)
    assert client.put(f"/api/v1/organisations/{org.id}/identity", headers=api_token(member),
                      json={"uscc": "x", "legal_name": "x", "legal_rep": "y"}).status_code == 403


def test_openapi_lists_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/organisations/{id}/qualifications"]
    assert "post" in paths["/qualifications/{id}/verify"] and "post" in paths["/qualifications/{id}/reject"]
