"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from marketplace import create_app
from marketplace.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database: a SQLite file, or a scratch PostgreSQL database."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    name = f"mig_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.slow
def test_init_db_applies_migrations_matching_the_models(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), db.metadata)
            assert diff == []
            assert "alembic_version" in sa.inspect(conn).get_table_names()
            # The rules autogenerate cannot see are there too.
            if conn.dialect.name == "postgresql":
                names = set(conn.scalars(sa.text("SELECT conname FROM pg_constraint")))
                triggers = set(conn.scalars(sa.text("SELECT tgname FROM pg_trigger")))
                assert "ex_bookings_no_overlap" in names
                assert {"trg_journal_entries_balanced", "trg_journal_lines_append_only"} <= triggers
            else:
                triggers = set(conn.scalars(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
                assert {"trg_journal_lines_no_update", "trg_journal_entries_no_delete"} <= triggers
        db.engine.dispose()
