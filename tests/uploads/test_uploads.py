"""Uploads: recognised by content, limited in size, stored outside the web root, read only by those allowed."""
import io
import os
from urllib.parse import quote

import pytest

from marketplace.extensions import db
from marketplace.uploads import rules
from marketplace.uploads.models import Upload

from .conftest import EXE, JPEG, PDF, PNG


def count():
    return db.session.scalar(db.select(db.func.count(Upload.id)))


def stored_files(app):
    out = []
    for root, _dirs, files in os.walk(app.config["UPLOAD_DIR"]):
        out += [os.path.join(root, f) for f in files]
    return out


def test_sniff_and_names():
    assert rules.sniff(PDF) == "application/pdf"
    assert rules.sniff(PNG) == "image/png"
    assert rules.sniff(JPEG) == "image/jpeg"
    assert rules.sniff(EXE) is None
    assert rules.clean_name("../../etc/passwd", "application/pdf") == "passwd.pdf"
    assert rules.clean_name("C:\\证书\\营业执照.PDF", "application/pdf") == "营业执照.PDF"
    assert rules.clean_name("photo", "image/jpeg") == "photo.jpg"
    assert rules.clean_name("a\r\nb.png", "image/png") == "ab.png"
    assert len(rules.clean_name("长" * 500 + ".pdf", "application/pdf")) == 200


@pytest.mark.parametrize("data,name,ctype", [(PDF, "营业执照.pdf", "application/pdf"),
                                              (PNG, "照片.png", "image/png"), (JPEG, "x.jpeg", "image/jpeg")])
def test_upload_accepted_by_content(app, client, make_user, login, upload_file, data, name, ctype):
    user = make_user()
    login(client, user)
    resp = upload_file(client, data, name=name, mimetype="application/octet-stream")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["name"] == name and body["size"] == len(data) and body["content_type"] == ctype
    upload = db.session.get(Upload, body["id"])
    assert upload.owner_id == user.id
    path = stored_files(app)
    assert len(path) == 1 and open(path[0], "rb").read() == data
    assert name not in path[0]  # a random stored name, not the user's
    static = os.path.realpath(app.static_folder)
    assert not os.path.realpath(path[0]).startswith(static)


def test_renamed_exe_as_pdf_is_refused(app, client, make_user, login, upload_file):
    login(client, make_user())
    resp = upload_file(client, EXE, name="证书.pdf", mimetype="application/pdf")
    assert resp.status_code == 422
    assert "file" in resp.get_json()["errors"]
    assert count() == 0 and stored_files(app) == []


def test_twenty_megabytes_refused_with_field_error(app, client, make_user, login, upload_file):
    login(client, make_user())
    resp = upload_file(client, PDF + b"0" * (20 * 1024 * 1024), name="big.pdf")
    assert resp.status_code == 422
    assert "10" in resp.get_json()["errors"]["file"][0]
    assert count() == 0 and stored_files(app) == []


def test_limit_is_configurable_and_checked_while_reading(make_app, make_user, login, upload_file):
    app = make_app(UPLOAD_MAX_BYTES=1000)
    with app.app_context():
        client = app.test_client()
        login(client, make_user())
        assert upload_file(client, PDF + b"0" * 900).status_code == 201
        resp = upload_file(client, PDF + b"0" * 1000)
        assert resp.status_code == 422 and "file" in resp.get_json()["errors"]
        assert count() == 1


def test_missing_file_and_anonymous(client, make_user, login, upload_file):
    assert upload_file(client, PDF).status_code == 401
    login(client, make_user())
    resp = client.post("/api/v1/uploads", data={"other": "x"}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "file" in resp.get_json()["errors"]
    resp = upload_file(client, b"", name="empty.pdf")
    assert resp.status_code == 422
    assert count() == 0


def _upload_as(client, login, user, upload_file, data=PDF, name="营业执照 2026.pdf", **form):
    login(client, user)
    resp = upload_file(client, data, name=name, **form)
    assert resp.status_code == 201
    client.post("/logout")
    return resp.get_json()["id"]


def test_download_by_owner_org_and_reviewer_only(app, make_org, make_user, login, upload_file):
    org, other = make_org(), make_org()
    owner, colleague = make_user(org), make_user(org)
    stranger, reviewer = make_user(other), make_user(roles=("reviewer",))
    upload_id = _upload_as(app.test_client(), login, owner, upload_file)
    url = f"/uploads/{upload_id}"

    anon = app.test_client()
    assert anon.get(url).status_code == 401
    for user, status in [(owner, 200), (colleague, 200), (reviewer, 200), (stranger, 403)]:
        c = app.test_client()
        login(c, user)
        resp = c.get(url)
        assert resp.status_code == status, user
        if status == 200:
            assert resp.data == PDF
            assert resp.headers["X-Content-Type-Options"] == "nosniff"
            assert resp.headers["Content-Type"] == "application/pdf"
    c = app.test_client()
    login(c, owner)
    assert c.get("/uploads/999999").status_code == 404
    assert c.get("/uploads/99999999999999999999999").status_code == 404


def test_chinese_filename_download(app, make_user, login, upload_file):
    owner = make_user()
    upload_id = _upload_as(app.test_client(), login, owner, upload_file, name="营业执照（副本）.pdf")
    c = app.test_client()
    login(c, owner)
    resp = c.get(f"/uploads/{upload_id}?download=1")
    assert resp.status_code == 200
    disposition = resp.headers["Content-Disposition"]
    disposition.encode("latin-1")  # a header must be ASCII/latin-1: no raw Chinese
    assert disposition.startswith("attachment")
    assert "filename*=UTF-8''" + quote("营业执照（副本）.pdf") in disposition


def test_public_upload_readable_by_anyone(app, make_org, make_user, login, upload_file):
    upload_id = _upload_as(app.test_client(), login, make_user(make_org()), upload_file, data=PNG, name="仪器.png",
                           mimetype="image/png", public="1")
    resp = app.test_client().get(f"/uploads/{upload_id}")
    assert resp.status_code == 200 and resp.data == PNG
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_require_uploads_refuses_others_ids(app, make_org, make_user, login, upload_file):
    from marketplace.core.errors import Invalid
    from marketplace.uploads.services import require_uploads

    org = make_org()
    mine, theirs = make_user(org), make_user(make_org())
    a = _upload_as(app.test_client(), login, mine, upload_file)
    b = _upload_as(app.test_client(), login, theirs, upload_file)
    assert [u.id for u in require_uploads([a, a], actor=mine)] == [a]
    assert [u.id for u in require_uploads([a], actor=make_user(org))] == [a]  # same organisation
    for ids in ([b], [a, b], [10**6], ["1"], [True], [2**40]):
        with pytest.raises(Invalid) as err:
            require_uploads(ids, actor=mine)
        assert "document_ids" in err.value.errors


def test_upload_field_attaches_files(app, make_user):
    """The form field keeps checked ids and stores new files through the service."""
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import FileStorage, MultiDict

    from marketplace.uploads.forms import UploadField
    from marketplace.uploads.services import store_form_uploads

    class Form(FlaskForm):
        documents = UploadField("docs")

    user = make_user()
    with app.test_request_context(method="POST"):
        data = MultiDict([("documents", FileStorage(io.BytesIO(PDF), "证书.pdf")),
                          ("documents", FileStorage(io.BytesIO(b""), ""))])
        form = Form(formdata=data, meta={"csrf": False})
        assert form.validate()
        ids = store_form_uploads(form.documents, actor=user)
        db.session.commit()
        assert len(ids) == 1
        html = str(form.documents())
        assert "证书.pdf" in html and 'type="file"' in html and f'value="{ids[0]}"' in html
        form = Form(formdata=MultiDict([("documents", str(ids[0])), ("documents", "x")]), meta={"csrf": False})
        assert not form.validate()
