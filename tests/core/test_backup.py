"""The restore drill: a backup taken while others write is restored into an empty database and file store;
the row counts and the ledger match its manifest, the trial balance is zero, the documents are served."""
import io
import json
import os
import tarfile
import threading

import pytest
import sqlalchemy as sa

from marketplace import ledger
from marketplace.backup import backup_command, restore_command
from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry
from marketplace.uploads.services import store_upload

from ..conftest import DEMO_PASSWORD, PG_URL

PDF = b"%PDF-1.4\n" + "备份演练".encode() * 50 + b"\n%%EOF\n"


@pytest.fixture
def empty_target(tmp_path):
    """A database URL with nothing in it (a new PostgreSQL database beside the test's, or a new file)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    url = sa.engine.make_url(PG_URL)
    name = f"{url.database}_restore"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _payment(n):
    return ledger.post_entry("payment", [ledger.Dr("gateway_clearing", n), ledger.Cr("user_receivable", n)],
                             memo=f"drill {n}")


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_backup_taken_under_writes_restores_into_an_empty_database(app, make_user, make_app, empty_target,
                                                                      tmp_path):
    owner = make_user(email="owner@test.cn")
    upload = store_upload(io.BytesIO(PDF), "合同.pdf", actor=owner)
    for n in range(1, 6):
        _payment(n * 100)
    db.session.commit()
    upload_id = upload.id

    stop, written = threading.Event(), []

    def keep_paying():  # another worker posting while the backup runs
        with app.app_context():
            n = 1
            while not stop.is_set() and n < 500:
                _payment(n)
                db.session.commit()
                written.append(n)
                n += 1

    writer = threading.Thread(target=keep_paying)
    writer.start()
    try:
        result = app.test_cli_runner().invoke(backup_command, ["--out", str(tmp_path / "backups")])
    finally:
        stop.set()
        writer.join(30)
    assert result.exit_code == 0, result.output
    [archive] = (tmp_path / "backups").glob("backup-*.tar")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = tar.getnames()
    assert manifest["counts"]["users"] == 1 and manifest["counts"]["uploads"] == 1
    assert 5 <= manifest["counts"]["journal_entries"] <= 5 + len(written)
    assert manifest["ledger"]["total_debits"] == manifest["ledger"]["total_credits"] >= 1500
    assert manifest["files"]["count"] == 1 and manifest["files"]["bytes"] == len(PDF)
    assert ("database.dump" if PG_URL else "database.sqlite") in names
    assert written, "the writer ran during the backup"

    target = make_app(SQLALCHEMY_DATABASE_URI=empty_target, UPLOAD_DIR=str(tmp_path / "restored-files"))
    if not PG_URL:  # make_app puts the schema into a new SQLite file: start from no file at all
        with target.app_context():
            db.engine.dispose()
        os.remove(sa.engine.make_url(empty_target).database)
    with target.app_context():  # the command runs in the current app context: the target's
        restored = target.test_cli_runner().invoke(restore_command, [str(archive)])
    assert restored.exit_code == 0, restored.output
    assert "trial balance zero" in restored.output

    with target.app_context():
        assert _count(JournalEntry) == manifest["counts"]["journal_entries"]
        balance = ledger.trial_balance()
        assert balance["total_debits"] == balance["total_credits"] == manifest["ledger"]["total_debits"]
        client = target.test_client()
        assert client.post("/login", data={"email": "owner@test.cn", "password": DEMO_PASSWORD}).status_code == 302
        served = client.get(f"/uploads/{upload_id}")
        assert served.status_code == 200 and served.data == PDF

    # A second restore meets a database that is no longer empty: refused, nothing changed.
    with target.app_context():
        again = target.test_cli_runner().invoke(restore_command, [str(archive)])
        assert again.exit_code != 0 and "not empty" in again.output
        assert _count(JournalEntry) == manifest["counts"]["journal_entries"]


def test_restore_refuses_a_database_in_use_and_a_file_that_is_no_backup(app, make_user, tmp_path):
    make_user()
    _payment(700)
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(backup_command, ["--out", str(tmp_path)]).exit_code == 0
    [archive] = tmp_path.glob("backup-*.tar")
    refused = runner.invoke(restore_command, [str(archive)])
    assert refused.exit_code != 0 and "not empty" in refused.output
    assert _count(JournalEntry) == 1

    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file")
    assert runner.invoke(restore_command, [str(junk)]).exit_code != 0


def test_the_files_of_a_bucket_go_into_the_backup_and_into_another_bucket(make_app, make_user, s3_server,
                                                                          empty_target, tmp_path):
    from marketplace.core.storage import storage_from

    source_store, target_store = s3_server(), s3_server()
    source = make_app(**source_store)
    with source.app_context():
        upload = store_upload(io.BytesIO(PDF), "证书.pdf", actor=make_user())
        db.session.commit()
        upload_id = upload.id
        assert source.test_cli_runner().invoke(backup_command, ["--out", str(tmp_path)]).exit_code == 0
    [archive] = tmp_path.glob("backup-*.tar")

    target = make_app(**target_store, SQLALCHEMY_DATABASE_URI=empty_target)
    if not PG_URL:
        with target.app_context():
            db.engine.dispose()
        os.remove(sa.engine.make_url(empty_target).database)
    with target.app_context():
        result = target.test_cli_runner().invoke(restore_command, [str(archive)])
        assert result.exit_code == 0, result.output
        from marketplace.uploads.models import Upload
        from marketplace.uploads.services import key_of
        assert storage_from(target_store).open(key_of(db.session.get(Upload, upload_id))).read() == PDF
