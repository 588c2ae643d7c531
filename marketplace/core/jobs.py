"""Background jobs: the one place that decides where work after a commit runs.

    from marketplace.core.jobs import enqueue
    enqueue(deliver_mail, to, subject, body)     # inside a unit of work: runs once it commits

A job is a module-level function called with plain values (ids, strings, numbers): it runs later,
maybe in another process, so it takes ids and loads what it needs. It runs inside its own unit of
work (one commit; a raised error rolls it back), in an app context without a request, in Chinese.

Two modes, chosen by `JOBS_BROKER_URL`:

* unset (the default, `make run`, the tests' in-process mode): the job runs in this process right
  after the commit, as side effects always did; a failure is logged and the request that committed
  is not disturbed.
* `redis://HOST:PORT/DB`: the job is written to the `job_outbox` table in the same transaction
  (a transactional outbox: a process killed between the commit and the queue loses nothing), and
  the commit wakes the queue `JOBS_QUEUE` with one RQ job, `drain_outbox`, unless one is already
  due. A worker (`flask --app marketplace worker`) drains the outbox in batches
  (core.jobs_batch): it claims up to `JOBS_BATCH` rows, runs the jobs and deletes their rows in one
  transaction, so each job's writes land exactly once (a failure reruns the batch around it, a
  savepoint per job). After a batch that was not full it waits `JOBS_DRAIN_LINGER` seconds, so a
  steady trickle of commits is served in batches of several jobs rather than one. A job that fails
  there is handed to RQ as a job of its own, retried `JOBS_RETRIES` times after
  `JOBS_RETRY_INTERVALS` seconds and then kept in RQ's failed-job registry (`rq info`,
  `failed_jobs()`). If Redis cannot be reached at the commit, this commit's jobs run in-process
  instead (and the log says so). Jobs enqueued by a running job run in the same worker right after
  it commits; only a failed one is queued (with the retries it has left). So RQ's bookkeeping —
  about twenty Redis commands a job — is paid once per drain, not once per booking.

Periodic jobs (SCHEDULE) are put on the queue by RQ's cron scheduler: `flask --app marketplace
scheduler` (one per deployment); one of them drains the outbox every minute, for a wake-up lost to
a crash right after a commit. Why RQ: Redis is already there, jobs are plain functions, and
retries, the failed-job registry, job timeouts and the cron scheduler come with the library, with no
second broker or worker framework to run. The worker runs jobs in its own process by default (its
database connections are reused); `worker --fork` forks a process per job for isolation instead.
"""
import contextlib
import importlib
import json
import logging
import os
import time
from contextvars import ContextVar
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, has_app_context

from ..extensions import db
from .db import after_commit, on_commit_once
from .jobs_batch import own_transaction, sends_only  # noqa: F401  (marks for jobs: core.jobs.own_transaction)
from .models import OutboxJob
from .timeutil import utcnow

log = logging.getLogger("marketplace.jobs")
_running_job: ContextVar[bool] = ContextVar("running_job", default=False)  # set while execute() runs a job
# set while a batch of outbox jobs runs (core.jobs_batch): the sub-jobs they enqueue, run together after it commits
_children: ContextVar[list | None] = ContextVar("job_children", default=None)


@contextlib.contextmanager
def collecting(children: list):
    """Gather the jobs enqueued by running jobs into `children` (core.jobs_batch runs them)."""
    token = _children.set(children)
    try:
        yield children
    finally:
        _children.reset(token)


@dataclass(frozen=True)
class Periodic:
    name: str
    cron: str       # minute hour day month weekday, in the scheduler host's local time (UTC on servers)
    func: str       # "module:function", called with no arguments
    doc: str


# The documented schedule (README, "Deployment"). Every sweep is idempotent, so a run missed or
# doubled does no harm; each is also a CLI command for running by hand.
SCHEDULE = (
    Periodic("booking-no-shows", "*/5 * * * *", "marketplace.booking.services.sweeps:mark_no_shows",
             "approved bookings not checked in 30 min after the start become no-shows; undecided requests lapse"),
    Periodic("booking-reminders", "0 1 * * *", "marketplace.booking.services.sweeps:send_reminders",
             "reminders of tomorrow's bookings (09:00 Beijing time)"),
    Periodic("booking-qualification-reminders", "10 1 * * *",
             "marketplace.booking.services.training:remind_expiring",
             "reminders to renew instrument qualifications that end within 30 days (09:10 Beijing time)"),
    Periodic("trading-sweep", "*/15 * * * *", "marketplace.trading.services.sweep:sweep",
             "public notices that ended, expired demands, instalment reminders, new matches"),
    Periodic("auctions-close", "* * * * *", "marketplace.auctions.services.closing:close_ended",
             "close ended auctions (award, deal, refunds due), apply or forfeit winners' deposits; idempotent"),
    Periodic("filings-sweep", "30 0 * * *", "marketplace.filing.services:sweep",
             "annual-report warnings (30 and 7 days) and suspensions of overdue firms (08:30 Beijing time)"),
    Periodic("billing-daily", "30 16 * * *", "marketplace.billing.services.sweeps:daily",
             "close last month's bills (idempotent), mark bills past due overdue, send due reminders (00:30 Beijing time)"),
    Periodic("jobs-outbox", "* * * * *", "marketplace.core.jobs:drain_outbox",
             "run jobs left in the outbox (a commit whose wake-up was lost, a job whose hand-over failed)"),
    Periodic("federation-harvest", "23 * * * *", "marketplace.federation.services:harvest_due",
             "harvest the partner platforms whose schedule (hourly, daily, weekly) is due, incrementally"),
    Periodic("search-feed-prune", "17 * * * *", "marketplace.search.services:prune_feed",
             "delete search change-log rows every index has applied (or older than SEARCH_FEED_RETENTION_DAYS)"),
)


# -- naming ---------------------------------------------------------------------------------------

def job_name(fn) -> str:
    """'module:function' for a module-level function (what a worker in another process can import)."""
    qualname = getattr(fn, "__qualname__", "")
    if "<" in qualname or "." in qualname or not getattr(fn, "__module__", None):
        raise ValueError(f"a job must be a module-level function, not {fn!r}")
    return f"{fn.__module__}:{qualname}"


def resolve(name: str):
    module, _sep, attr = name.partition(":")
    return getattr(importlib.import_module(module), attr)


# -- enqueueing -----------------------------------------------------------------------------------

def broker_url(app=None) -> str | None:
    return (app or current_app).config.get("JOBS_BROKER_URL") or None


def writes_outbox(app=None) -> bool:
    """Whether enqueue() writes an outbox row here (queue mode, outside a running job): then a hot path
    may write its job in its own statement instead (outbox_rows)."""
    return bool(broker_url(app)) and not _running_job.get()


def enqueue(fn, *args, **kwargs) -> None:
    """Run fn(*args, **kwargs) as a job once the current transaction commits (dropped on rollback)."""
    name = job_name(fn)
    app = current_app._get_current_object()
    if writes_outbox(app):
        _write_outbox(app, name, args, kwargs)
    elif _running_job.get() and (children := _children.get()) is not None:
        children.append((name, args, kwargs))
    else:
        after_commit(dispatch, app, name, args, kwargs)


def _write_outbox(app, name: str, args, kwargs) -> None:
    try:
        payload = json.dumps([list(args), kwargs], ensure_ascii=False)
    except TypeError as err:
        raise ValueError(f"a job takes plain values (ids, strings, numbers): {name} {err}") from None
    table = OutboxJob.__table__
    job_id = db.session.execute(sa.insert(table).values(
        queue=app.config["JOBS_QUEUE"], name=name, args=payload, created_at=utcnow()
    ).returning(table.c.id)).scalar_one()
    # one wake-up per transaction, for all the jobs it wrote
    on_commit_once(db.session(), _wake, app, [])[1].append(job_id)


def _wake_key(app) -> str:
    return f"{app.config['JOBS_QUEUE']}:outbox-wake"


def _wake(app, job_ids: list[int]) -> None:
    """After a commit that wrote jobs: queue one drain unless one is already due (a Redis flag the
    drain clears when it finds the outbox empty). With Redis unreachable, run them here."""
    try:
        conn = connection(app)
        if conn.set(_wake_key(app), "1", nx=True, ex=WAKE_TTL):
            _push_drain(app)
        return
    except Exception as err:  # noqa: BLE001  (the jobs are committed: never fail the request)
        if _is_connection_error(err):
            log.warning("job broker unreachable (%s); running %d job(s) in-process", err, len(job_ids))
        else:
            log.exception("waking the job queue failed; running %d job(s) in-process", len(job_ids))
    from .jobs_batch import run_batch
    while job_ids and (claimed := run_batch(app, ids=job_ids)) is not None:
        job_ids = [i for i in job_ids if i not in set(claimed[0]) | set(claimed[1])]


WAKE_TTL = 120  # seconds: a wake-up flag left by a dead drain lapses; the minutely drain covers the gap
DRAIN_SECONDS = 30  # a drain hands over to a fresh RQ job after this long (well inside JOBS_TIMEOUT)


def _push_drain(app):
    queue(app).enqueue(drain_outbox, app.config["JOBS_QUEUE"], job_timeout=app.config["JOBS_TIMEOUT"],
                       result_ttl=0, failure_ttl=30 * 86400, description="drain the job outbox")


def drain_outbox(queue_name: str | None = None) -> int:
    """Run the outbox's jobs for this queue until it is empty (the RQ job a commit wakes), in batches of
    JOBS_BATCH jobs per transaction (core.jobs_batch). Returns how many ran. A job that fails is handed
    to RQ with its retries and skipped here."""
    from .jobs_batch import run_batch
    app = current_app._get_current_object() if has_app_context() else _get_worker_app()
    if queue_name is not None and queue_name != app.config["JOBS_QUEUE"]:
        raise ValueError(f"this worker serves queue {app.config['JOBS_QUEUE']!r}, not {queue_name!r}")
    deadline = time.monotonic() + DRAIN_SECONDS
    batch = int(app.config.get("JOBS_BATCH", 50))
    linger = float(app.config.get("JOBS_DRAIN_LINGER", 0))
    skip: list[int] = []
    ran = 0
    cleared = lingered = False
    while True:
        claimed = run_batch(app, skip=skip)
        if claimed is None:
            if cleared or not broker_url(app):
                return ran
            if not lingered and linger > 0:
                # wait a moment for the next commits' jobs (the flag is still set: they queue no drain
                # of their own): one drain, and RQ's bookkeeping, serves several of them, in batches
                lingered = True
                time.sleep(linger)
                continue
            lingered = True
            # Clear the flag, then look once more: a job committed before the flag went is seen by
            # that last look, and one committed after it sets the flag and queues a new drain.
            connection(app).delete(_wake_key(app))
            cleared = True
            continue
        cleared = lingered = False
        done, failed = claimed
        ran += len(done)
        skip.extend(failed)
        if time.monotonic() > deadline:  # hand over to a fresh job (the flag stays set)
            _push_drain(app)
            return ran
        if len(done) + len(failed) < batch and broker_url(app) and linger > 0:
            # a batch that was not full: let the next commits' jobs gather a moment, so that one
            # transaction serves several (per job, a batch of one costs the worker three times what
            # a batch of fifty does); a job waits at most this long behind the one before it
            time.sleep(linger)


def _hand_to_queue(app, row, tried: int = 1) -> None:
    """A job that failed once (or runs alone, see own_transaction): take its row out of the outbox and
    give it to RQ with the retries it has left, in one transaction (if Redis refuses it, the row stays
    for a later drain)."""
    table = OutboxJob.__table__
    args, kwargs = json.loads(row.args)
    try:
        with _job_context(app, running=False):
            if db.session.execute(sa.delete(table).where(table.c.id == row.id)).rowcount:
                _push(app, row.name, args, kwargs, tried=tried)
    except Exception:  # noqa: BLE001
        log.exception("handing job %s to the queue failed; it stays in the outbox", row.name)


def dispatch(app, name: str, args=(), kwargs=None):
    """Hand a job to the broker, or run it here when none is configured (or it is unreachable).
    Returns the RQ job when queued, else None.

    A job enqueued by a running job (a notification's mail, a sweep's reminders) is already off the
    request: it runs right after its parent's commit, in the same worker, and goes to the queue (with
    its retries) only if it fails there. A fan-out thus costs one queued job, not one per message."""
    kwargs = kwargs or {}
    tried = 0
    if broker_url(app) and _running_job.get():
        try:
            execute(name, args, kwargs, app=app)
            return None
        except Exception:  # noqa: BLE001  (a failed sub-job is retried by the queue like any other)
            log.warning("job %s failed in its parent's worker; queued for retry", name, exc_info=True)
            tried = 1
    if broker_url(app):
        try:
            return _push(app, name, args, kwargs, tried)
        except Exception as err:  # noqa: BLE001  (redis down: do the work now rather than lose it)
            if _is_connection_error(err):
                log.warning("job broker unreachable (%s); running %s in-process", err, name)
            else:  # the transaction has committed: never turn a queueing problem into a 500
                log.exception("queueing %s failed; running it in-process", name)
    try:
        execute(name, args, kwargs, app=app)
    except Exception:  # noqa: BLE001  (the request that queued it has committed; record, go on)
        log.exception("job %s failed (in-process)", name)
    return None


def _push(app, name: str, args, kwargs, tried: int = 0):
    # A finished job's result (None for every job here) is not kept: fewer writes to Redis per job.
    return queue(app).enqueue(execute, name, args, kwargs, retry=_retry(app, tried), failure_ttl=30 * 86400,
                              job_timeout=app.config["JOBS_TIMEOUT"], result_ttl=0, description=name)


def _is_connection_error(err) -> bool:
    import redis
    return isinstance(err, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError))


def _retry(app, tried: int = 0):
    """The queue's retries of a job, less the runs it already had (a sub-job that failed once inline)."""
    from rq import Retry
    retries = int(app.config["JOBS_RETRIES"]) - tried
    if retries < 1:
        return None
    intervals = [int(x) for x in str(app.config["JOBS_RETRY_INTERVALS"]).split(",") if x.strip()]
    return Retry(max=retries, interval=intervals[tried:] or intervals[-1:] or 0)


# -- running --------------------------------------------------------------------------------------

_worker_app = None


def execute(name: str, args=(), kwargs=None, app=None):
    """Run one job in its own app context and unit of work (what the RQ worker calls)."""
    app = app or (current_app._get_current_object() if has_app_context() else _get_worker_app())
    fn = resolve(name)
    with _job_context(app):
        return fn(*args, **(kwargs or {}))


@contextlib.contextmanager
def _job_context(app, running: bool = True):
    """A job's own app context and unit of work (one commit; an error rolls it back); jobs it
    enqueues run right after it commits, in this process."""
    from .uow import UnitOfWork
    token = _running_job.set(running)
    try:
        with app.app_context():
            _fresh_connections_after_fork()
            with UnitOfWork(show=False):
                yield
    finally:
        _running_job.reset(token)


def _get_worker_app():
    """The app of this worker process, handed over by make_worker (core never builds the app itself)."""
    if _worker_app is None:
        raise RuntimeError("a job ran outside an app: start workers with `flask worker` (core.jobs.make_worker)")
    return _worker_app


_engine_pid = os.getpid()


def _fresh_connections_after_fork():
    """The worker forks a process per job: never reuse a database connection the parent opened."""
    global _engine_pid
    if os.getpid() != _engine_pid:
        db.engine.dispose(close=False)
        _engine_pid = os.getpid()


# -- the queue, the worker and the scheduler ------------------------------------------------------

def connection(app=None):
    import redis
    app = app or current_app
    conns = app.extensions.setdefault("jobs_redis", {})
    url = broker_url(app)
    if url not in conns:
        conns[url] = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
    return conns[url]


def queue(app=None):
    from rq import Queue
    app = app or current_app
    return Queue(app.config["JOBS_QUEUE"], connection=connection(app))


def failed_jobs(app=None) -> list:
    """Jobs that failed after their retries (kept by RQ for 30 days)."""
    q = queue(app)
    return [j for j in (q.fetch_job(i) for i in q.failed_job_registry.get_job_ids()) if j is not None]


def make_worker(app=None, *, simple: bool = False):
    """An RQ worker on the configured queue; simple=True runs jobs in this process, else forks per job."""
    from rq import SimpleWorker, Worker
    global _worker_app
    app = app or current_app._get_current_object()
    _worker_app = app  # the jobs this worker runs (and the processes it forks) run in this app
    cls = SimpleWorker if simple else Worker
    return cls([queue(app)], connection=connection(app))


def make_scheduler(app=None):
    """RQ's cron scheduler with SCHEDULE registered on the configured queue."""
    from rq.cron import CronScheduler
    app = app or current_app
    name = app.config["JOBS_QUEUE"]
    scheduler = CronScheduler(connection=connection(app), name=f"{name}:{os.getpid()}")
    for p in SCHEDULE:  # cron jobs are named after their queue: "marketplace:booking-no-shows"
        scheduler.register(execute, name, args=(p.func, (), {}), cron=p.cron,
                           job_timeout=app.config["JOBS_TIMEOUT"], name=f"{name}:{p.name}")
    return scheduler
