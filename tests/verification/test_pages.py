"""The verification pages: an organisation claims with a PDF, a reviewer decides from the queue."""
import io

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.verification.models import Qualification
from marketplace.verification.services import today

from .conftest import PDF


def test_claim_and_review_on_the_pages(app, make_app, company, reviewer, login):
    org, admin = company
    client = app.test_client()
    login(client, admin)
    page = client.get("/verification/", follow_redirects=True)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "单位认证" in html and 'data-flag="sme" data-applies="no"' in html and "入库登记编号" in html
    number = f"{today().year}320505{org.id:06d}"
    resp = client.post(f"/verification/organisations/{org.id}/qualifications",
                       data={"kind": "sme", "number": number, "documents": (io.BytesIO(PDF), "入库证明.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    q = db.session.scalar(sa.select(Qualification).where(Qualification.kind == "sme"))
    assert q.status == "claimed" and len(q.document_ids) == 1
    html = client.get(f"/verification/organisations/{org.id}").get_data(as_text=True)
    assert "等待平台审核" in html
    # the reviewer's queue and decision
    rclient = app.test_client()
    login(rclient, reviewer)
    queue = rclient.get("/verification/queue").get_data(as_text=True)
    assert org.name in queue
    detail = rclient.get(f"/verification/qualifications/{q.id}").get_data(as_text=True)
    assert "入库证明.pdf" in detail and "核验通过" in detail
    assert rclient.get(f"/uploads/{q.document_ids[0]}").status_code == 200
    resp = rclient.post(f"/verification/qualifications/{q.id}/reject", data={"reason": ""})
    assert resp.status_code == 422 and "请填写原因" in resp.get_data(as_text=True)
    resp = rclient.post(f"/verification/qualifications/{q.id}/verify", data={"reason": "与入库名单一致"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Qualification, q.id).status == "verified"
    html = client.get(f"/verification/organisations/{org.id}").get_data(as_text=True)
    assert 'data-flag="sme" data-applies="yes"' in html
    # English
    html = client.get(f"/verification/organisations/{org.id}?lang=en").get_data(as_text=True)
    assert "Verified" in html


def test_bad_form_input_and_others(app, company, make_org, make_user, login):
    org, admin = company
    client = app.test_client()
    login(client, admin)
    for data in ({"kind": "sme", "number": "abc"}, {"kind": "gold"}, {"kind": "sme", "number": "x\x00"},
                 {"kind": "high_tech", "number": "GR202432001234", "issued_on": "not a date"},
                 {"kind": "sme", "number": "²⁰²⁶320500012345", "documents": (io.BytesIO(b"MZ\x90\x00" * 10), "a.pdf")}):
        resp = client.post(f"/verification/organisations/{org.id}/qualifications", data=data,
                           content_type="multipart/form-data")
        assert 400 <= resp.status_code < 500, data
    resp = client.post(f"/verification/organisations/{org.id}/identity",
                       data={"uscc": "913205051234567890", "legal_name": "x", "legal_rep": "y"})
    assert resp.status_code == 422 and "统一社会信用代码" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Qualification.id)).where(Qualification.kind != "in_province")) == 0
    other = make_org(kind="enterprise")
    assert client.get(f"/verification/organisations/{other.id}").status_code == 403
    assert client.get("/verification/queue").status_code == 403
    assert client.get("/verification/qualifications/12345").status_code == 404
    anon = app.test_client()
    assert anon.get(f"/verification/organisations/{org.id}").status_code == 302
