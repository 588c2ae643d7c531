"""Keep the index in step with the database through the durable feed (feed.py).

After every flush the ids of changed searchable objects (and of related objects, e.g. a resource's
platform rows or its organisation) are collected in `session.info`; just before the outermost
commit (after its last flush) they are inserted into `search_changes` in the same transaction, so
the change and its feed rows commit together or not at all; on rollback they are dropped. After
the commit the app applies the pending feed rows to its own index (`SEARCH_APPLY_AFTER_COMMIT`,
on by default), so a change is searchable right after the request that made it; a separate
`flask search follow` process (or another host) applies them too, from the same feed.

`AUTO_INDEX = False` writes no feed rows and applies nothing (bulk loads, most tests);
`flask search rebuild` then brings the index up to date.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..core.db import MOVED, on_commit
from .documents import KINDS

log = logging.getLogger("marketplace.search")
_PENDING = "search_pending"   # {(doc_type, doc_id): op}
_WRITTEN = "search_feed_written"
_installed = False


def _identity(obj):
    ident = sa.inspect(obj).identity
    return ident[0] if ident else None


def _after_flush(session, flush_context):
    _collect(session, (*session.new, *session.dirty, *session.deleted), session.new, session.deleted)


def _collect(session, objs, new=(), deleted=()):
    """Note the documents that `objs` (changed rows) touch, in session.info for the commit."""
    if not KINDS:
        return
    pending = None
    for obj in objs:
        for name, kind in KINDS.items():
            op = "upsert"
            if isinstance(obj, kind.model):
                doc_type, obj_id = name, _identity(obj)
                if obj in deleted:
                    op = "delete"
            else:
                doc_type = obj_id = None
                for model, fn in kind.related_ids.items():
                    if isinstance(obj, model):
                        doc_type, obj_id = name, fn(obj)
                        break
                else:
                    for model in kind.related:
                        if isinstance(obj, model) and obj not in new:  # a new row has no documents yet
                            doc_type, obj_id = f"{name}.{model.__tablename__}", _identity(obj)
                            break
            if doc_type is not None and obj_id is not None:
                if pending is None:
                    pending = session.info.setdefault(_PENDING, {})
                key = (doc_type, obj_id)
                if op == "delete" or key not in pending:
                    pending[key] = op


def _feed_on() -> bool:
    return not has_app_context() or current_app.config.get("AUTO_INDEX", True)


def _before_commit(session):
    if session.in_nested_transaction():  # a savepoint: the outer commit writes the rows
        return
    # rows a state machine moved with an UPDATE of its own (core.db.moved): no flush sees them
    _collect(session, session.info.pop(MOVED, ()))
    if not session.info.get(_PENDING) and not (session.new or session.dirty or session.deleted):
        return
    session.flush()  # the commit's last flush, now, so its changes are collected too
    pending = session.info.pop(_PENDING, None)
    if not pending or not _feed_on():
        return
    from ..core.timeutil import utcnow
    from .models import SearchChange

    now = utcnow()
    rows = [{"doc_type": t, "doc_id": i, "op": op, "created_at": now} for (t, i), op in sorted(pending.items())]
    session.connection().execute(sa.insert(SearchChange.__table__), rows)
    if has_app_context() and not session.info.get(_WRITTEN):
        session.info[_WRITTEN] = True
        # once the commit has handed its connection back (core.db), like any after-commit work
        on_commit(session, _apply_after_commit, current_app._get_current_object())


def _apply_after_commit(app):
    if not app.config.get("SEARCH_APPLY_AFTER_COMMIT", True):
        return
    index = app.extensions.get("search")
    if index is None:
        return
    try:
        index.catch_up_after_commit()
    except Exception:  # never fail a request whose data is committed: the rows wait in the feed
        log.exception("search indexing after commit failed; the feed keeps the changes")


def _after_commit(session):
    session.info.pop(MOVED, None)
    session.info.pop(_PENDING, None)
    session.info.pop(_WRITTEN, None)


def _after_soft_rollback(session, previous_transaction):
    if previous_transaction.parent is None:  # the outermost transaction rolled back
        session.info.pop(_PENDING, None)
        session.info.pop(_WRITTEN, None)


def install():
    """Listen on every Session (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", _after_soft_rollback)
    _installed = True
