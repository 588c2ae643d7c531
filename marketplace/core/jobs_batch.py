"""The outbox drained in batches: one transaction runs many jobs, each job's writes still exactly once.

A drain claims up to `JOBS_BATCH` outbox rows of its queue at once (FOR UPDATE SKIP LOCKED on
PostgreSQL, so a second drain takes other rows), runs the jobs one after the other in that one
transaction and deletes their rows, then commits. So:

* a job's writes and the deletion of its row commit together: a worker killed anywhere in the batch
  (kill -9) commits nothing, every claimed row is back in the outbox and the next drain runs them;
* the batch runs without savepoints (no SAVEPOINT/RELEASE round trips per job). When a job raises,
  the whole transaction is rolled back and the rows are claimed again: the failed job is handed to RQ
  with its retries (that run was its first), the others run again with a savepoint each, so their
  writes stand and the failed one leaves nothing (its writes, its sub-jobs, its after-commit calls go);
* a job marked `core.jobs.own_transaction` (it rolls back or commits by itself) never runs inside a
  batch: it is handed to RQ, to run alone;
* the sub-jobs the batch's jobs enqueue (a notification's mails) are gathered and run together after
  the commit, in one transaction of their own, a savepoint each (a mail sent cannot be rolled back,
  so a failure must not run the others again), instead of one app context and one transaction per
  mail. As before, a sub-job runs in the same worker right after its parent commits, and only a
  failed one goes to the queue.
"""
import json
import logging

import sqlalchemy as sa

from ..extensions import db
from .models import OutboxJob

log = logging.getLogger("marketplace.jobs")


def own_transaction(fn):
    """Mark a job that ends its transaction itself (a harvest rolls back its reads so it holds no
    transaction while a partner answers). The outbox drain never runs such a job inside a batch's
    shared transaction, where that rollback would undo the other jobs' writes: it hands it to the
    queue, to run alone in a unit of work of its own."""
    fn.own_transaction = True
    return fn


def sends_only(fn):
    """Mark a job that writes nothing to the database and does what a rollback cannot undo (it sends a
    mail). A batch runs such jobs after the others and without a savepoint, so a failure elsewhere in
    the batch, which runs the batch again, never sends twice (core.jobs_batch)."""
    fn.sends_only = True
    return fn


def _claim(app, *, ids=None, skip=(), limit: int):
    table = OutboxJob.__table__
    pick = sa.select(table.c.id, table.c.name, table.c.args).where(table.c.queue == app.config["JOBS_QUEUE"])
    if ids is not None:
        pick = pick.where(table.c.id.in_(list(ids)))
    if skip:
        pick = pick.where(table.c.id.not_in(list(skip)))
    pick = pick.order_by(table.c.id).limit(limit).with_for_update(skip_locked=True)
    return db.session.execute(pick).all()


class _BatchFailed(Exception):
    """A job of a batch run without savepoints raised (args: its key): the whole transaction is rolled
    back and the others run again with a savepoint each (see _run_jobs)."""


def _run_jobs(items, children: list, *, optimistic: bool) -> list:
    """Run each (name, args, kwargs, key) in the current transaction; returns the keys of those that
    failed (their writes, after-commit callbacks and sub-jobs dropped).

    `optimistic`: the jobs that write run without savepoints (the common case, where every job
    succeeds, costs no SAVEPOINT/RELEASE round trips) and the first failure raises _BatchFailed: the
    caller rolls everything back and runs the others again with optimistic=False, a savepoint each.
    So the jobs before the failed one run a second time (a job that writes must bear running again
    after a rollback: the queue retries jobs anyway) and each job's writes still land exactly once. The
    failed job is not run again there: that run counts as its first, and the queue retries it.

    Jobs marked `core.jobs.sends_only` (a mail) run after the others, without a savepoint (they write
    nothing): a failure of a job that writes never runs a mail again, and a failed mail undoes nothing."""
    from .jobs import resolve
    sending = {item[3] for item in items if _marked(item[0], "sends_only")}
    ordered = [item for item in items if item[3] not in sending] + [item for item in items if item[3] in sending]
    session = db.session()
    failed = []
    for name, args, kwargs, key in ordered:
        savepoint = not optimistic and key not in sending
        mark_children = len(children)
        mark_callbacks = len(session.info.get("after_commit", ()))
        try:
            if savepoint:
                with session.begin_nested():
                    resolve(name)(*args, **(kwargs or {}))
            else:
                resolve(name)(*args, **(kwargs or {}))
        except Exception as err:  # noqa: BLE001  (rolled back, to its savepoint or all; handed to the queue after the commit)
            log.warning("job %s failed in the worker; queued for retry", name, exc_info=True)
            if optimistic and key not in sending:
                raise _BatchFailed(key) from err
            del children[mark_children:]
            del session.info.get("after_commit", [])[mark_callbacks:]
            failed.append(key)
    return failed


def _marked(name: str, mark: str) -> bool:
    """Whether the job `name` carries a core.jobs mark (own_transaction, sends_only)."""
    from .jobs import resolve
    try:
        return bool(getattr(resolve(name), mark, False))
    except Exception:  # noqa: BLE001  (a job that cannot be found fails when it runs, like any other)
        return False


def _items(rows) -> list:
    return [(r.name, *json.loads(r.args), r.id) for r in rows]


def run_batch(app, *, ids=None, skip=(), limit: int | None = None) -> tuple[list[int], list[int]] | None:
    """Claim up to `limit` (JOBS_BATCH) outbox rows of this queue (only `ids` when given, never those
    in `skip`), run them in one transaction and delete the rows of those that succeeded. Returns
    (ids that ran, ids that failed and were handed to RQ or left for a later drain), None when there
    was nothing to claim.

    The batch first runs without savepoints (_run_jobs); only when a job fails is it rolled back and
    claimed again, to run with a savepoint per job so that the others' writes stand."""
    from .jobs import _hand_to_queue, _job_context, collecting
    limit = limit or int(app.config.get("JOBS_BATCH", 50))
    children: list = []
    rows, alone = None, []
    try:
        with collecting(children), _job_context(app):
            claimed = _claim(app, ids=ids, skip=skip, limit=limit)
            if not claimed:
                return None
            alone = [r for r in claimed if _marked(r.name, "own_transaction")]
            rows = [r for r in claimed if r.id not in {a.id for a in alone}]
            failed = set(_run_jobs(_items(rows), children, optimistic=True))
            _delete(r.id for r in rows if r.id not in failed)
    except _BatchFailed as err:
        failed_first = err.args[0]
        children.clear()
        with collecting(children), _job_context(app):
            # the same rows (the rollback released them: one another drain took meanwhile is its now)
            rows = _claim(app, ids=[r.id for r in rows], limit=limit)
            if not rows and not alone:
                return [], []
            failed = {failed_first} | set(_run_jobs(_items(r for r in rows if r.id != failed_first), children,
                                                    optimistic=False))
            _delete(r.id for r in rows if r.id not in failed)
    for row in rows:
        if row.id in failed:
            _hand_to_queue(app, row)
    for row in alone:
        _hand_to_queue(app, row, tried=0)
    if children:
        run_children(app, children)
    # the jobs that run alone count with the failed ones: not run here, and not to be claimed again by this drain
    return [r.id for r in rows if r.id not in failed], [r.id for r in rows if r.id in failed] + [r.id for r in alone]


def _delete(ids) -> None:
    ids = list(ids)
    if ids:
        table = OutboxJob.__table__
        db.session.execute(sa.delete(table).where(table.c.id.in_(ids)))


def run_children(app, items: list) -> None:
    """The sub-jobs a committed transaction of jobs asked for, run together in one transaction of their
    own, a savepoint each; a failed one is queued with the retries it has left. Not run as run_batch runs
    a batch: a sub-job sends (a mail), and a rollback cannot take a sent mail back, so none may run twice
    because another failed."""
    from .jobs import _job_context, _push, collecting
    while items:
        children: list = []
        with collecting(children), _job_context(app):
            failed = set(_run_jobs([(*item, i) for i, item in enumerate(items)], children, optimistic=False))
        for i in sorted(failed):
            name, args, kwargs = items[i]
            try:
                _push(app, name, args, kwargs, tried=1)
            except Exception:  # noqa: BLE001  (the parents have committed: record it, go on)
                log.exception("queueing the failed job %s failed", name)
        items = children  # their own sub-jobs, after this commit
