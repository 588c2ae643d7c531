"""Filing pages: the application form with sections and comments, review steps, the public directory,
firm pages, verify, certificate; ID numbers appear on no public page or answer."""
import io
import re

from marketplace.extensions import db
from marketplace.filing import services as s
from marketplace.filing.models import Firm

from .conftest import PDF, application, manager


def form_data(firm_data, **extra):
    data = {k: v for k, v in firm_data.items() if k != "managers"}
    data["founded_on"] = data["founded_on"].isoformat()
    for i, m in enumerate(firm_data["managers"]):
        for k, v in m.items():
            data[f"managers-{i}-{k}"] = v or ""
    data.update(extra)
    return data


def test_application_form_saves_submits_and_shows_comments(app, client, make_user, login, reviewer):
    user = make_user()
    login(client, user)
    resp = client.post("/filings/new")
    assert resp.status_code == 302
    firm_id = int(re.search(r"/filings/(\d+)/edit", resp.headers["Location"]).group(1))
    page = client.get(f"/filings/{firm_id}/edit").get_data(as_text=True)
    assert 'name="managers-2-id_number"' in page and 'type="file"' in page

    data = application()
    bad = form_data(data, **{"managers-1-id_number": "320102199003070010", "submit": "1"})
    bad["documents"] = (io.BytesIO(PDF), "营业执照.pdf")
    resp = client.post(f"/filings/{firm_id}/edit", data=bad, content_type="multipart/form-data")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "身份证号码无效" in html
    firm = db.session.get(Firm, firm_id)
    db.session.refresh(firm)
    assert firm.status == "draft" and firm.name == data["name"] and len(firm.document_ids) == 1  # draft kept

    good = form_data(data, submit="1", documents=str(firm.document_ids[0]))
    resp = client.post(f"/filings/{firm_id}/edit", data=good, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    db.session.refresh(firm)
    assert firm.status == "submitted"

    s.start_review(firm, actor=reviewer)
    s.return_filing(firm, {"basic": "注册地址与营业执照不符"}, actor=reviewer)
    db.session.commit()
    page = client.get(f"/filings/{firm_id}/edit").get_data(as_text=True)
    basic = page[page.index('id="section-basic"'):page.index('id="section-managers"')]
    assert "注册地址与营业执照不符" in basic


def test_add_manager_row(client, make_user, login):
    login(client, make_user())
    firm_id = int(re.search(r"/filings/(\d+)/edit", client.post("/filings/new").headers["Location"]).group(1))
    resp = client.post(f"/filings/{firm_id}/edit", data=form_data(application(), add_manager="1"),
                       content_type="multipart/form-data")
    assert resp.status_code == 302 and "rows=4" in resp.headers["Location"]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'name="managers-3-name"' in page


def test_review_steps_by_web(client, make_filing, login, reviewer, admin, make_user):
    firm = make_filing("submitted")
    stranger = make_user()
    login(client, stranger)
    assert client.post(f"/filings/{firm.id}/start-review").status_code == 404
    assert client.get(f"/filings/{firm.id}").status_code == 404
    assert client.get("/filings/review").status_code == 403
    client.post("/logout")
    login(client, reviewer)
    queue = client.get("/filings/review").get_data(as_text=True)
    assert firm.name in queue and "天" in queue
    assert client.get("/filings/review?city=北京").status_code == 422
    assert firm.name not in client.get("/filings/review?city=苏州").get_data(as_text=True)
    page = client.get(f"/filings/{firm.id}").get_data(as_text=True)
    assert 'data-action="start-review"' in page and 'data-action="suspend"' not in page
    client.post(f"/filings/{firm.id}/start-review")
    resp = client.post(f"/filings/{firm.id}/reject", data={"reason": ""})
    assert resp.status_code == 302
    db.session.refresh(firm)
    assert firm.status == "under_review"
    client.post(f"/filings/{firm.id}/approve", data={"comment": "材料齐全"})
    db.session.refresh(firm)
    assert firm.status == "approved" and firm.number
    assert client.post(f"/filings/{firm.id}/suspend", data={"reason": "x"}).status_code == 403
    db.session.refresh(firm)
    assert firm.status == "approved"  # reviewers may not suspend
    client.post("/logout")
    login(client, admin)
    client.post(f"/filings/{firm.id}/suspend", data={"reason": "年报逾期"})
    db.session.refresh(firm)
    assert firm.status == "suspended"
    assert client.get(f"/firms/verify/{firm.number}").get_data(as_text=True).count('data-verify="suspended"') == 1


def test_verify_page_and_certificate(client, make_filing, admin):
    firm = make_filing("approved")
    resp = client.get(f"/firms/verify/{firm.number}")
    assert resp.status_code == 200 and 'data-verify="valid"' in resp.get_data(as_text=True)
    assert client.get("/firms/verify/苏技经备〔1999〕0001号").status_code == 404
    assert client.get("/firms/verify?number=" + firm.number).status_code == 302
    pdf = client.get(f"/firms/{firm.id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert b"/Image" in pdf.data or b"/XObject" in pdf.data  # the QR code
    s.revoke_firm(firm, actor=admin, reason="违规")
    db.session.commit()
    assert 'data-verify="revoked"' in client.get(f"/firms/verify/{firm.number}").get_data(as_text=True)
    assert client.get(f"/firms/{firm.id}/certificate.pdf").status_code == 404


def test_id_numbers_never_public(app, client, make_filing, make_user, login):
    """Grep every public page and answer for the managers' ID numbers."""
    app.config["AUTO_INDEX"] = True
    firms = [make_filing(st) for st in ("approved", "approved", "under_review", "draft")]
    s.suspend_firm(firms[1], actor=make_user(roles=("admin",)), reason="x")
    db.session.commit()
    secrets = [m.id_number for f in firms for m in f.managers]
    assert len(secrets) == 12
    pages = ["/firms", "/firms?q=技术经理人", "/firms?city=南京", "/firms?level=senior", "/firms/verify",
             "/api/v1/firms", "/api/v1/firms?q=经理", "/search?q=事务所", "/api/v1/search?q=事务所"]
    for f in firms:
        pages += [f"/firms/{f.id}", f"/api/v1/firms/{f.id}", f"/firms/verify/{f.number}",
                  f"/api/v1/firms/verify/{f.number}", f"/filings/{f.id}", f"/api/v1/filings/{f.id}"]
    viewers = [app.test_client()]
    other = app.test_client()
    login(other, make_user())
    viewers.append(other)
    seen = 0
    for viewer in viewers:
        for url in pages:
            resp = viewer.get(url)
            text = resp.get_data(as_text=True)
            if resp.status_code == 200:
                seen += 1
            for secret in secrets:
                assert secret not in text and secret[:6] + secret[-4:] not in text.replace(" ", ""), (url, secret)
    assert seen >= 20
    # the firm's side sees whose number it is, masked; the holder and reviewers see it whole (issue 27)
    firm_side = app.test_client()
    login(firm_side, firms[0].applicant)
    number = firms[0].managers[0].id_number
    page = firm_side.get(f"/filings/{firms[0].id}").get_data(as_text=True)
    assert number not in page and number[:3] + "*" * 11 + number[-4:] in page
    reviewer = app.test_client()
    login(reviewer, make_user(roles=("reviewer",)))
    assert number in reviewer.get(f"/filings/{firms[0].id}").get_data(as_text=True)


def test_directory_page_filters(client, make_filing):
    a = make_filing("approved", city="无锡", managers=[manager("senior"), manager(), manager()])
    b = make_filing("approved", city="常州", managers=[manager("junior"), manager("junior"), manager("junior")])
    page = client.get("/firms?city=无锡").get_data(as_text=True)
    assert a.name in page and b.name not in page
    page = client.get("/firms?level=junior").get_data(as_text=True)
    assert b.name in page and a.name not in page
    assert client.get("/firms?city=东京").status_code == 422
    assert client.get("/firms?level=x").status_code == 422
    page = client.get(f"/firms/{a.id}").get_data(as_text=True)
    assert a.number in page and a.managers[0].name in page and "高级" in page
    assert "¥0.00" in page


def test_firm_side_pages_refuse_others(client, make_filing, make_user, login):
    firm = make_filing("draft")
    login(client, make_user())
    assert client.get(f"/filings/{firm.id}/edit").status_code == 404
    assert client.post(f"/filings/{firm.id}/edit", data={"name": "x"}).status_code == 404
    assert client.get(f"/filings/{firm.id}/evaluation").status_code == 404
    assert client.get("/filings/99999999999999999999/edit").status_code == 404


def test_nul_and_bad_values_in_the_form_are_field_errors(client, make_filing, login):
    firm = make_filing("draft")
    login(client, firm.applicant)
    resp = client.post(f"/filings/{firm.id}/edit", data={"premises_m2": "abc",
                                                          "founded_on": "2020-02-30", "city": "东京"})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert html.count('class="error"') >= 3
    # A NUL anywhere in a form is refused for the whole request before any view (core/security.py).
    resp = client.post(f"/filings/{firm.id}/edit", data={"name": "a\x00b", "address": "x"})
    assert resp.status_code == 400 and "NUL" in resp.get_data(as_text=True)
    db.session.refresh(firm)
    assert "\x00" not in firm.name and firm.premises_m2 == 120 and firm.address != "x"


def test_colleagues_of_the_firm_read_its_documents(app, make_filing, make_user, login):
    firm = make_filing("approved")
    upload_id = firm.document_ids[0]
    colleague = make_user(firm.organisation)
    c = app.test_client()
    login(c, colleague)
    assert c.get(f"/uploads/{upload_id}").status_code == 200
    stranger = app.test_client()
    login(stranger, make_user())
    assert stranger.get(f"/uploads/{upload_id}").status_code == 403
    assert app.test_client().get(f"/uploads/{upload_id}").status_code == 401
