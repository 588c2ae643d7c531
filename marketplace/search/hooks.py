"""Keep the index in step with the database: index only what was committed.

Like microblog's SearchableMixin, but collected over the whole transaction: after every flush the
ids of changed searchable objects (and of related objects, e.g. a resource's platform rows or its
organisation) are added to `session.info`; after the outermost commit they are (re)indexed from a
fresh session — published objects are (re)written, the rest deleted — and on rollback they are
dropped, so rolled-back changes never reach the index. `AUTO_INDEX = False` turns this off (bulk
loads, most tests); `flask search rebuild` then brings the index up to date.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from .documents import KINDS

log = logging.getLogger("marketplace.search")
_PENDING = "search_pending"
_installed = False


def _identity(obj):
    ident = sa.inspect(obj).identity
    return ident[0] if ident else None


def _after_flush(session, flush_context):
    if not KINDS:
        return
    pending = None
    for obj in (*session.new, *session.dirty, *session.deleted):
        for name, kind in KINDS.items():
            if isinstance(obj, kind.model):
                key, obj_id = name, _identity(obj)
            else:
                key = obj_id = None
                for model, fn in kind.related_ids.items():
                    if isinstance(obj, model):
                        key, obj_id = name, fn(obj)
                        break
                else:
                    for model in kind.related:
                        if isinstance(obj, model):
                            key, obj_id = (name, model), _identity(obj)
                            break
            if key is not None and obj_id is not None:
                if pending is None:
                    pending = session.info.setdefault(_PENDING, {})
                pending.setdefault(key, set()).add(obj_id)


def _after_commit(session):
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    app = current_app._get_current_object()
    if not app.config.get("AUTO_INDEX", True):
        return
    index = app.extensions.get("search")
    if index is None:
        return
    try:
        index.apply(pending)
    except Exception:  # never let indexing fail a request whose data is already committed
        log.exception("search indexing after commit failed")


def _after_soft_rollback(session, previous_transaction):
    if previous_transaction.parent is None:  # the outermost transaction rolled back
        session.info.pop(_PENDING, None)


def install():
    """Listen on every Session (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", _after_soft_rollback)
    _installed = True
