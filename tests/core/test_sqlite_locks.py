"""On SQLite a writer's transactions begin IMMEDIATE (they hold the write lock from the start); work that
only reads after a writer's commit (the search feed's pass) must not, or every other writer waits on it."""
import sqlite3

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from marketplace.core.db import reading, writing
from marketplace.extensions import db


def _other_writer_can_start(app) -> bool:
    path = db.engine.url.database
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


@pytest.fixture
def sqlite_app(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    return app


def test_a_writer_holds_the_lock_but_reading_inside_it_does_not(sqlite_app):
    with writing(), Session(db.engine) as session:
        session.execute(sa.text("SELECT 1"))
        assert not _other_writer_can_start(sqlite_app)     # the premise: a writer's transaction locks
    with writing(), reading(), Session(db.engine) as session:
        session.execute(sa.text("SELECT 1"))
        assert _other_writer_can_start(sqlite_app)         # a read inside a writer's context does not


def test_the_search_feed_pass_after_a_commit_leaves_the_lock_free(sqlite_app, monkeypatch):
    index = sqlite_app.extensions["search"]
    seen = []
    real = index._write_changes

    def spy(w, session, changes):
        session.execute(sa.text("SELECT 1"))                # the pass's transaction has begun
        seen.append(_other_writer_can_start(sqlite_app))
        return real(w, session, changes)

    monkeypatch.setattr(index, "_write_changes", spy)
    with writing():                                         # as after a request's unit of work
        index.apply({"resource": {1}})
    assert seen == [True]
