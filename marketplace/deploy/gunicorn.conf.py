"""gunicorn settings for `make serve` (and production): `gunicorn -c marketplace/deploy/gunicorn.conf.py`.

Every number can be overridden from the environment (or on gunicorn's command line, which wins):
  GUNICORN_BIND      where to listen (default 127.0.0.1:8000; put a reverse proxy in front)
  WEB_CONCURRENCY    worker processes (default 2 x cores + 1, at most GUNICORN_MAX_WORKERS = 8)
  GUNICORN_THREADS   threads per worker (gthread; default 4). Each thread may hold one database
                     connection: workers x threads must stay under PostgreSQL's max_connections.
  GUNICORN_TIMEOUT   seconds a request may take before its worker is restarted (default 30)
  GUNICORN_ACCESSLOG access log file ("-" = stdout, the default; empty = none)
The access log line carries the request id (X-Request-ID, set by the app when the client sent none).
"""
import logging
import multiprocessing
import os

wsgi_app = "marketplace:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

_cores = multiprocessing.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * _cores + 1, int(os.environ.get("GUNICORN_MAX_WORKERS", 8))))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))

# Login and mail limits (accounts.throttle) must count across workers: in-memory counters per worker let
# N workers take N times the guesses. Several workers share Redis (RATELIMIT_STORAGE_URI, else the job
# broker's JOBS_BROKER_URL); without one, a single worker with the same total threads serves.
_limit_store = os.environ.get("RATELIMIT_STORAGE_URI") or ""
if not _limit_store.startswith(("redis://", "rediss://", "memcached://")):
    _broker = os.environ.get("JOBS_BROKER_URL") or ""
    if _broker.startswith(("redis://", "rediss://")):
        os.environ["RATELIMIT_STORAGE_URI"] = _limit_store = _broker  # the workers' apps read it
    elif workers > 1:
        threads, workers = threads * workers, 1
shared_limits = _limit_store.startswith(("redis://", "rediss://", "memcached://"))

# A request line up to gunicorn's maximum reaches the app, which answers a target over
# core.security.MAX_URL_BYTES with its own 414 (problem+json, declared in the API description).
limit_request_line = 8190

timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (a slow leak never grows for long); jitter keeps them from restarting together.
max_requests = 5000
max_requests_jitter = 500
# Each worker builds its own app (and its own database connections) after the fork.
preload_app = False

accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# remote address, request id, request line, status, bytes, duration (ms)
access_log_format = '%(h)s rid=%({x-request-id}o)s "%(r)s" %(s)s %(b)s %(M)sms'


def when_ready(server):
    server.log.info("serving marketplace with %s workers x %s threads on %s", workers, threads, bind)
    if not shared_limits:
        server.log.info("login limits in memory: one worker (set RATELIMIT_STORAGE_URI=redis://… for more)")


def post_worker_init(worker):
    """Warm the worker before its first request: the search package's warm_up(app) (searcher and
    dictionary). A failure is logged; the worker serves all the same."""
    warm_up(worker.wsgi, worker.log)


def warm_up(app, log=None):
    from marketplace.search import warm_up as search_warm_up
    log = log or logging.getLogger("gunicorn.error")
    try:
        with app.app_context():
            search_warm_up(app)
        return True
    except Exception:  # noqa: BLE001
        log.exception("search warm-up failed; serving without it")
        return False
