"""Callbacks after the commit (core.db): run once the transaction commits, dropped with a rollback."""
import sqlalchemy as sa

from marketplace.core.db import on_commit_once
from marketplace.extensions import db


def test_on_commit_once_gathers_a_transaction_into_one_call(app):
    calls = []

    def flush(label, items):
        calls.append((label, list(items)))

    on_commit_once(db.session(), flush, "first", [])[1].append(1)
    on_commit_once(db.session(), flush, "second", [])[1].append(2)  # already queued: joins the first
    assert calls == []                                               # nothing before the commit
    db.session.commit()
    assert calls == [("first", [1, 2])]

    db.session.execute(sa.text("SELECT 1"))  # callbacks come with a transaction's writes
    on_commit_once(db.session(), flush, "dropped", [])[1].append(3)
    db.session.rollback()
    db.session.commit()
    assert calls == [("first", [1, 2])]                              # gone with the rollback

    on_commit_once(db.session(), flush, "next", [])[1].append(4)     # a new transaction queues anew
    db.session.commit()
    assert calls == [("first", [1, 2]), ("next", [4])]
