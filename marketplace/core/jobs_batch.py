"""The outbox drained in batches: one transaction runs many jobs, each job's writes still exactly once.

A drain claims up to `JOBS_BATCH` outbox rows of its queue at once (FOR UPDATE SKIP LOCKED on
PostgreSQL, so a second drain takes other rows), runs each job inside a savepoint of that one
transaction and deletes the rows of the jobs that succeeded, then commits. So:

* a job's writes and the deletion of its row commit together: a worker killed anywhere in the batch
  (kill -9) commits nothing, every claimed row is back in the outbox and the next drain runs them;
* a job that raises rolls back to its own savepoint (its writes, and the sub-jobs it asked for, go);
  the others in the batch stand; after the commit its row is handed to RQ with its retries;
* the sub-jobs the batch's jobs enqueue (a notification's mails) are gathered and run together after
  the commit, in one transaction of their own (again a savepoint each), instead of one app context and
  one transaction per mail. As before, a sub-job runs in the same worker right after its parent
  commits, and only a failed one goes to the queue.
"""
import json
import logging

import sqlalchemy as sa

from ..extensions import db
from .models import OutboxJob

log = logging.getLogger("marketplace.jobs")


def _claim(app, *, ids=None, skip=(), limit: int):
    table = OutboxJob.__table__
    pick = sa.select(table.c.id, table.c.name, table.c.args).where(table.c.queue == app.config["JOBS_QUEUE"])
    if ids is not None:
        pick = pick.where(table.c.id.in_(list(ids)))
    if skip:
        pick = pick.where(table.c.id.not_in(list(skip)))
    pick = pick.order_by(table.c.id).limit(limit).with_for_update(skip_locked=True)
    return db.session.execute(pick).all()


def _run_each(items, children: list) -> list:
    """Run each (name, args, kwargs, key) in a savepoint of the current transaction; returns the keys
    of those that failed (their writes, after-commit callbacks and sub-jobs dropped)."""
    from .jobs import resolve
    session = db.session()
    failed = []
    for name, args, kwargs, key in items:
        mark_children = len(children)
        mark_callbacks = len(session.info.get("after_commit", ()))
        try:
            with session.begin_nested():
                resolve(name)(*args, **(kwargs or {}))
        except Exception:  # noqa: BLE001  (rolled back to its savepoint; handed to the queue after the commit)
            log.warning("job %s failed in the worker; queued for retry", name, exc_info=True)
            del children[mark_children:]
            del session.info.get("after_commit", [])[mark_callbacks:]
            failed.append(key)
    return failed


def run_batch(app, *, ids=None, skip=(), limit: int | None = None) -> tuple[list[int], list[int]] | None:
    """Claim up to `limit` (JOBS_BATCH) outbox rows of this queue (only `ids` when given, never those
    in `skip`), run them in one transaction and delete the rows of those that succeeded. Returns
    (ids that ran, ids that failed and were handed to RQ or left for a later drain), None when there
    was nothing to claim."""
    from .jobs import _hand_to_queue, _job_context, collecting
    limit = limit or int(app.config.get("JOBS_BATCH", 50))
    children: list = []
    with collecting(children), _job_context(app):
        rows = _claim(app, ids=ids, skip=skip, limit=limit)
        if not rows:
            return None
        failed = set(_run_each([(r.name, *json.loads(r.args), r.id) for r in rows], children))
        done = [r.id for r in rows if r.id not in failed]
        if done:
            table = OutboxJob.__table__
            db.session.execute(sa.delete(table).where(table.c.id.in_(done)))
    for row in rows:
        if row.id in failed:
            _hand_to_queue(app, row)
    if children:
        run_children(app, children)
    return done, [r.id for r in rows if r.id in failed]


def run_children(app, items: list) -> None:
    """The sub-jobs a committed transaction of jobs asked for, run together in one transaction of their
    own (a savepoint each); a failed one is queued with the retries it has left."""
    from .jobs import _job_context, _push, collecting
    while items:
        children: list = []
        with collecting(children), _job_context(app):
            failed = set(_run_each([(*item, i) for i, item in enumerate(items)], children))
        for i in sorted(failed):
            name, args, kwargs = items[i]
            try:
                _push(app, name, args, kwargs, tried=1)
            except Exception:  # noqa: BLE001  (the parents have committed: record it, go on)
                log.exception("queueing the failed job %s failed", name)
        items = children  # their own sub-jobs, after this commit
