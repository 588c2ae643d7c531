"""Job fixtures: a Redis-backed app (db 1 of the machine's Redis, a queue of its own per test)."""
import os
import uuid

import pytest

from marketplace.extensions import db
from tests.booking.conftest import company, company_user, instrument, lab, lab_user, make_booking  # noqa: F401

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


@pytest.fixture(scope="session")
def redis_url():
    """The machine's Redis (db 1). Skipped when unreachable, unless REQUIRE_REDIS=1 (CI): then a failure."""
    import redis
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as err:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis at {REDIS_URL} is required (REQUIRE_REDIS=1) but unreachable: {err}")
        pytest.skip(f"Redis at {REDIS_URL} unreachable ({err}): the queue-mode job tests need it")
    return REDIS_URL


def _drop_queue(conn, name):
    """Remove what this test's queue left in Redis: its jobs, its registries (never anything else)."""
    from rq import Queue
    q = Queue(name, connection=conn)
    ids = set(q.get_job_ids())
    for reg in (q.failed_job_registry, q.finished_job_registry, q.started_job_registry,
                q.scheduled_job_registry, q.deferred_job_registry):
        ids.update(reg.get_job_ids())
    for job_id in ids:
        conn.delete(f"rq:job:{job_id}", f"rq:results:{job_id}", f"rq:executions:{job_id}")
    keys = list(conn.scan_iter(match=f"*{name}*"))
    if keys:
        conn.delete(*keys)
    conn.srem("rq:queues", f"rq:queue:{name}")
    stale = [m for m in conn.zrange("rq:cron_jobs", 0, -1) if m.decode().startswith(f"{name}:")]
    if stale:
        conn.zrem("rq:cron_jobs", *stale)


@pytest.fixture(params=["in-process", pytest.param("redis", marks=pytest.mark.once)])
def app(shared_app, request):
    """The app in each job mode: no broker (jobs run in-process after commit), and Redis (jobs go to a
    fresh RQ queue of this test's own, retried without waiting). Every test here runs in both on
    PostgreSQL; on SQLite the Redis mode runs for the tests marked `smoke`."""
    mode = getattr(request, "param", "in-process")
    if mode.startswith("in-process"):
        # "in-process, one connection": a pool of exactly one connection per thread, as a bounded deployment
        pool = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 3} if mode.endswith("one connection") else {}
        app = shared_app(**({"SQLALCHEMY_ENGINE_OPTIONS": pool} if pool else {}))
        with app.app_context():
            yield app
            db.session.rollback()
        return
    redis_url = request.getfixturevalue("redis_url")
    name = f"test-jobs-{uuid.uuid4().hex[:10]}"
    app = shared_app(JOBS_BROKER_URL=redis_url, JOBS_RETRIES=2, JOBS_RETRY_INTERVALS="0")
    app.config["JOBS_QUEUE"] = name
    with app.app_context():
        from marketplace.core import jobs
        conn = jobs.connection(app)
        try:
            yield app
        finally:
            db.session.rollback()
            _drop_queue(conn, name)


def queued(app) -> bool:
    return bool(app.config.get("JOBS_BROKER_URL"))


@pytest.fixture
def outbox(app):
    app.extensions["mail_outbox"] = []
    return app.extensions["mail_outbox"]


def run_worker(app):
    """Drain the queue with RQ's own worker in this process (a real round trip through Redis)."""
    from marketplace.core import jobs
    db.session.rollback()  # the test's reads end here; the jobs write in their own sessions
    jobs.make_worker(app, simple=True).work(burst=True, logging_level="WARNING")
    db.session.expire_all()
