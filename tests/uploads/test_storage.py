"""Shared file storage: uploads in an S3 bucket (moto's S3 server, a real process) are served by any host
on the same database and bucket; the local-disk default behaves the same behind the same interface."""
import io
import os

import pytest

from marketplace.core.storage import LocalStorage, storage_from
from marketplace.extensions import db
from marketplace.uploads.models import Upload

from ..conftest import DEMO_PASSWORD, free_port
from .conftest import EXE, PDF, PNG


def _log_in(client, email):
    resp = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert resp.status_code == 302, resp.status_code


def _upload(client, data, name):
    return client.post("/api/v1/uploads", data={"file": (io.BytesIO(data), name, "application/pdf")},
                       content_type="multipart/form-data")


def _files_under(directory):
    return [os.path.join(r, f) for r, _d, fs in os.walk(directory) for f in fs]


def _user(app, make_user):
    with app.app_context():
        user = make_user()
        db.session.commit()
        return user.email


def test_a_document_stored_through_host_a_is_served_by_host_b(make_app, make_user, s3_server, tmp_path):
    settings = s3_server()
    host_a = make_app(**settings, UPLOAD_DIR=str(tmp_path / "disk-a"))
    host_b = make_app(**settings, UPLOAD_DIR=str(tmp_path / "disk-b"))
    email = _user(host_a, make_user)
    document = PDF + "营业执照扫描件".encode() * 100

    with host_a.app_context():
        a = host_a.test_client()
        _log_in(a, email)
        resp = _upload(a, document, "营业执照.pdf")
        assert resp.status_code == 201, resp.get_json()
        upload_id = resp.get_json()["id"]

    with host_b.app_context():
        b = host_b.test_client()
        _log_in(b, email)
        served = b.get(f"/uploads/{upload_id}")
        assert served.status_code == 200
        assert served.data == document
        assert served.mimetype == "application/pdf"
        assert served.headers["Content-Length"] == str(len(document))
        assert "filename*=UTF-8''%E8%90%A5" in served.headers["Content-Disposition"]
        assert b.get(f"/uploads/{upload_id}", headers={"If-None-Match": served.headers["ETag"]}).status_code == 304
        assert b.get(f"/uploads/{upload_id}", headers={"Range": "bytes=0-4"}).data == b"%PDF-"

    # The bytes are in the bucket, on neither host's disk.
    assert not _files_under(tmp_path / "disk-a") and not _files_under(tmp_path / "disk-b")
    keys = list(storage_from(settings).keys())
    assert len(keys) == 1 and storage_from(settings).open(keys[0]).read() == document


def test_refused_and_rolled_back_uploads_leave_nothing_in_the_bucket(make_app, make_user, s3_server):
    settings = s3_server()
    app = make_app(**settings)
    email = _user(app, make_user)
    with app.app_context():
        client = app.test_client()
        _log_in(client, email)
        assert _upload(client, EXE, "证书.pdf").status_code == 422
        assert _upload(client, b"", "empty.pdf").status_code == 422
        assert list(storage_from(settings).keys()) == []

        from marketplace.accounts.models import User
        from marketplace.uploads.services import key_of, store_upload
        user = db.session.scalar(db.select(User).filter_by(email=email))
        upload = store_upload(io.BytesIO(PNG), "照片.png", actor=user)
        key = key_of(upload)
        assert storage_from(settings).exists(key)  # written before the commit, so a commit never points nowhere
        db.session.rollback()
        assert not storage_from(settings).exists(key)
        assert db.session.scalar(db.select(db.func.count(Upload.id))) == 0


def test_an_unreachable_store_is_a_503_and_nothing_is_recorded(make_app, make_user):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    app = make_app(UPLOAD_BACKEND="s3", S3_ENDPOINT_URL=dead, S3_BUCKET="gone", S3_ACCESS_KEY_ID="x",
                   S3_SECRET_ACCESS_KEY="x", S3_TIMEOUT=1)
    email = _user(app, make_user)
    with app.app_context():
        client = app.test_client()
        _log_in(client, email)
        resp = _upload(client, PDF, "a.pdf")
        assert resp.status_code == 503
        assert resp.mimetype == "application/problem+json"
        assert "文件存储暂时不可用" in resp.get_json()["detail"]
        assert resp.headers.get("Retry-After", "").isdigit()
        assert db.session.scalar(db.select(db.func.count(Upload.id))) == 0


def test_local_storage_writes_whole_files_and_refuses_keys_that_leave_its_folder(tmp_path):
    store = LocalStorage(str(tmp_path / "files"))
    store.put("ab/abc", io.BytesIO(b"one"))
    store.put("ab/abc", io.BytesIO(b"two"))  # replaced at once, never half written
    assert store.open("ab/abc").read() == b"two" and store.exists("ab/abc")
    assert list(store.keys()) == ["ab/abc"]
    store.delete("ab/abc")
    assert not store.exists("ab/abc") and list(store.keys()) == []
    for bad in ("../etc/passwd", "/abs", "a//b", "a/./b", "", "a\\b", "a\x00b"):
        with pytest.raises(ValueError):
            store.put(bad, io.BytesIO(b"x"))


def test_an_unknown_backend_is_refused_at_first_use():
    with pytest.raises(RuntimeError, match="UPLOAD_BACKEND"):
        storage_from({"UPLOAD_BACKEND": "ftp", "UPLOAD_DIR": "/tmp"})
    with pytest.raises(RuntimeError, match="S3_BUCKET"):
        storage_from({"UPLOAD_BACKEND": "s3"})
