"""Issue 25 (Low): uploads had no quota, and unverified accounts hosted public PDFs shown inline on the
hub's own domain. Now an organisation keeps at most UPLOAD_QUOTA_BYTES, only a verified organisation
(its business licence verified by a reviewer) publishes files, and every file is served as an attachment."""
from marketplace.extensions import db
from marketplace.uploads.models import Upload

from .conftest import PDF, PNG


def _count():
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count()).select_from(Upload))


def test_an_unverified_account_cannot_host_a_public_pdf(app, make_org, make_user, login, upload_file):
    for user in (make_user(), make_user(make_org(verified=False))):  # no organisation; one never verified
        client = app.test_client()
        login(client, user)
        before = _count()
        resp = upload_file(client, PDF, name="invoice.pdf", public="1")
        assert resp.status_code == 422 and "file" in resp.get_json()["errors"]
        assert _count() == before
        # A private upload is kept, and the public cannot read it; making it public is refused too.
        upload_id = upload_file(client, PDF, name="invoice.pdf").get_json()["id"]
        assert app.test_client().get(f"/uploads/{upload_id}").status_code == 401
        from marketplace.core.errors import Invalid
        from marketplace.uploads.services import set_public
        try:
            set_public(db.session.get(Upload, upload_id), True, actor=user)
            raise AssertionError("an unverified account made its file public")
        except Invalid:
            db.session.rollback()
        assert db.session.get(Upload, upload_id).public is False


def test_a_verified_organisation_publishes_and_every_file_is_an_attachment(app, make_org, make_user, login,
                                                                          upload_file):
    client = app.test_client()
    login(client, make_user(make_org()))
    pdf = upload_file(client, PDF, name="brochure.pdf", public="1")
    png = upload_file(client, PNG, name="photo.png", mimetype="image/png", public="1")
    assert pdf.status_code == png.status_code == 201
    for upload_id in (pdf.get_json()["id"], png.get_json()["id"]):
        resp = app.test_client().get(f"/uploads/{upload_id}")  # anonymous, no ?download=1
        assert resp.status_code == 200
        assert resp.headers["Content-Disposition"].startswith("attachment")
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in resp.headers["Content-Security-Policy"]


def test_an_organisation_has_a_quota(app, make_org, make_user, login, upload_file, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_QUOTA_BYTES", 2 * len(PDF) + 10)
    org = make_org()
    first, second = app.test_client(), app.test_client()
    login(first, make_user(org))
    login(second, make_user(org))  # a colleague shares the organisation's space
    assert upload_file(first, PDF).status_code == 201
    assert upload_file(second, PDF).status_code == 201
    resp = upload_file(first, PDF)
    assert resp.status_code == 422 and "file" in resp.get_json()["errors"]
    assert _count() == 2
    other = app.test_client()
    login(other, make_user(make_org()))  # another organisation has its own space
    assert upload_file(other, PDF).status_code == 201


def test_uploads_at_once_cannot_both_pass_the_quota(app, make_org, make_user, api_token, monkeypatch):
    import io

    from tests.races import race
    monkeypatch.setitem(app.config, "UPLOAD_QUOTA_BYTES", len(PDF) * 3 + 10)
    org = make_org()
    headers = [api_token(make_user(org)) for _ in range(6)]

    def upload(i):
        return app.test_client().post("/api/v1/uploads", data={"file": (io.BytesIO(PDF), "a.pdf", "application/pdf")},
                                      content_type="multipart/form-data", headers=headers[i]).status_code

    codes = race(app, 6, upload)
    assert sorted(codes) == [201] * 3 + [422] * 3, codes
    assert _count() == 3
