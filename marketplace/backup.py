"""`backup` and `restore`: the database, the stored files and a manifest in one tar file, and back.

A backup is `backup-<UTC time>.tar` holding
- `database.dump`: `pg_dump --format=custom` (PostgreSQL), or `database.sqlite` (SQLite's online backup);
- `files/<key>`: every upload the database knows and every kept certificate, from the file store
  (local folder or S3 bucket, core/storage.py);
- `manifest.json`: when, the schema revision, the row count of every table, the ledger's totals and
  the files (count, bytes).

On PostgreSQL the counts, the ledger totals and the list of uploads are read in the very snapshot
pg_dump copies (`pg_export_snapshot` + `pg_dump --snapshot`), so a backup taken under load is
consistent with its manifest. An upload's bytes reach the store before its row commits, so every
upload in the snapshot has its file.

`restore FILE` loads a backup into an empty database (it refuses one that has tables) and the
configured file store, then checks the counts and the ledger against the manifest and exits 1 if
anything differs.
"""
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from .core.storage import StorageMissing, storage
from .extensions import db

FORMAT = 1


def _libpq(url: sa.engine.URL) -> tuple[str, dict]:
    """A libpq URL for pg_dump/pg_restore, and the environment carrying the password (not on argv)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tables(conn) -> list[str]:
    return sorted(sa.inspect(conn).get_table_names())


def _facts(conn) -> dict:
    """Row counts of every table, the ledger's totals and the upload keys, read on `conn`."""
    counts = {t: conn.scalar(sa.text(f'SELECT count(*) FROM "{t}"')) for t in _tables(conn)}
    debits, credits = conn.execute(sa.text(
        "SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0) FROM journal_lines")).one()
    revision = conn.scalar(sa.text("SELECT version_num FROM alembic_version")) if "alembic_version" in counts else None
    names = conn.scalars(sa.text("SELECT stored_name FROM uploads ORDER BY id")).all()
    return {"counts": counts, "ledger": {"total_debits": int(debits), "total_credits": int(credits)},
            "revision": revision, "upload_keys": [f"{n[:2]}/{n}" for n in names]}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def create_backup(out_dir: str) -> tuple[str, dict]:
    """Write a backup into `out_dir`; returns (its path, its manifest)."""
    os.makedirs(out_dir, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = os.path.join(out_dir, f"backup-{stamp}.tar")
    url = db.engine.url
    with tempfile.TemporaryDirectory() as work:
        if url.get_backend_name() == "postgresql":
            dump_name, dump = "database.dump", os.path.join(work, "database.dump")
            with db.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    snapshot = conn.scalar(sa.text("SELECT pg_export_snapshot()"))
                    facts = _facts(conn)
                    target, env = _libpq(url)
                    # runs while this transaction holds the snapshot open
                    done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                                           f"--file={dump}", target], env=env, capture_output=True, text=True)
                    if done.returncode:
                        raise click.ClickException(f"pg_dump failed: {done.stderr.strip()}")
        elif url.get_backend_name() == "sqlite":
            dump_name, dump = "database.sqlite", os.path.join(work, "database.sqlite")
            source = sqlite3.connect(url.database)
            try:
                with sqlite3.connect(dump) as copy:
                    source.backup(copy)  # one consistent copy, even while others write
            finally:
                source.close()
            engine = sa.create_engine(f"sqlite:///{dump}")
            with engine.connect() as conn:
                facts = _facts(conn)
            engine.dispose()
        else:
            raise click.ClickException(f"cannot back up a {url.get_backend_name()} database")

        store = storage()
        keys = facts.pop("upload_keys") + [k for k in store.keys("certificates/")]
        files = {"count": 0, "bytes": 0, "missing": []}
        with tarfile.open(path + ".part", "w") as tar:
            tar.add(dump, arcname=dump_name)
            for key in keys:
                try:
                    with store.open(key) as f:
                        data = f.read()
                except StorageMissing:
                    files["missing"].append(key)
                    continue
                _add_bytes(tar, f"files/{key}", data)
                files["count"] += 1
                files["bytes"] += len(data)
            manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                        "database": {"dialect": url.get_backend_name(), "file": dump_name,
                                     "revision": facts["revision"]},
                        "counts": facts["counts"], "ledger": facts["ledger"], "files": files,
                        "file_backend": store.name}
            _add_bytes(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode())
        os.replace(path + ".part", path)
    return path, manifest


def _is_empty(url: sa.engine.URL) -> bool:
    if url.get_backend_name() == "sqlite":
        if not url.database or not os.path.exists(url.database) or os.path.getsize(url.database) == 0:
            return True
    with db.engine.connect() as conn:
        return not _tables(conn)


def restore_backup(path: str) -> dict:
    """Load the backup at `path` into this app's (empty) database and file store; returns
    {manifest, counts, ledger, problems} where problems lists every difference found."""
    url = db.engine.url
    with tarfile.open(path, "r") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise click.ClickException(f"{path}: not a backup this version can read")
        if manifest["database"]["dialect"] != url.get_backend_name():
            raise click.ClickException(f"{path} holds a {manifest['database']['dialect']} database; "
                                       f"DATABASE_URL is {url.get_backend_name()}")
        if not _is_empty(url):
            raise click.ClickException("the target database is not empty: restore only into a new, empty "
                                       "database (nothing was changed)")
        with tempfile.TemporaryDirectory() as work:
            tar.extract(manifest["database"]["file"], work, filter="data")
            dump = os.path.join(work, manifest["database"]["file"])
            db.session.remove()
            db.engine.dispose()
            if url.get_backend_name() == "postgresql":
                target, env = _libpq(url)
                done = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",
                                       f"--dbname={target}", dump], env=env, capture_output=True, text=True)
                if done.returncode:
                    raise click.ClickException(f"pg_restore failed: {done.stderr.strip()}")
            else:
                shutil.copyfile(dump, url.database)
        store = storage()
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith("files/"):
                store.put(member.name[len("files/"):], tar.extractfile(member))
    with db.engine.connect() as conn:
        facts = _facts(conn)
    problems = [f"{table}: {facts['counts'].get(table)} rows, the backup had {n}"
                for table, n in manifest["counts"].items() if facts["counts"].get(table) != n]
    if facts["ledger"] != manifest["ledger"]:
        problems.append(f"ledger totals {facts['ledger']} differ from the backup's {manifest['ledger']}")
    if facts["ledger"]["total_debits"] != facts["ledger"]["total_credits"]:
        problems.append("the ledger's trial balance is not zero")
    missing = [k for k in facts["upload_keys"] if not store.exists(k)]
    if missing:
        problems.append(f"{len(missing)} uploads have no file, e.g. {missing[0]}")
    return {"manifest": manifest, "counts": facts["counts"], "ledger": facts["ledger"], "problems": problems}


@click.command("backup")
@click.option("--out", "out_dir", default=lambda: os.environ.get("BACKUP_DIR", "backups"), show_default="backups",
              help="Folder the backup file is written to (BACKUP_DIR).")
@with_appcontext
def backup_command(out_dir):
    """Back up the database (pg_dump custom format), the stored files and a manifest into one file."""
    path, manifest = create_backup(out_dir)
    rows = sum(manifest["counts"].values())
    ledger = manifest["ledger"]
    click.echo(f"{path}: {len(manifest['counts'])} tables, {rows} rows, {manifest['files']['count']} files "
               f"({manifest['files']['bytes']} bytes), ledger debits {ledger['total_debits']} = credits "
               f"{ledger['total_credits']} fen, revision {manifest['database']['revision']}")
    if manifest["files"]["missing"]:
        click.echo(f"warning: {len(manifest['files']['missing'])} uploads had no file in the store", err=True)


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore_command(file):
    """Restore a backup FILE into an empty database (DATABASE_URL) and the configured file store,
    then check the counts and the ledger against its manifest."""
    result = restore_backup(file)
    counts = result["counts"]
    click.echo(f"restored {file} (taken {result['manifest']['created_at']}) into {db.engine.url.render_as_string()}")
    for table in ("users", "organisations", "resources", "bookings", "payments", "uploads", "journal_entries"):
        if table in counts:
            click.echo(f"  {table:<16} {counts[table]:>8}")
    click.echo(f"  ledger debits {result['ledger']['total_debits']} = credits {result['ledger']['total_credits']} fen")
    if result["problems"]:
        for line in result["problems"]:
            click.echo(f"MISMATCH {line}", err=True)
        raise SystemExit(1)
    click.echo(f"all {len(counts)} tables match the manifest; trial balance zero")
    current_app.logger.info("restored %s", file)
