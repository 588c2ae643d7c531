"""The periodic jobs outlive a Redis restart: `flask scheduler` (RQ's cron scheduler, which ends its loop
on a lost connection) starts again once its own Redis answers, and registers again."""
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
import redis

from ..conftest import free_port
from .test_jobs import TEST_SECRET

pytestmark = [pytest.mark.slow, pytest.mark.once]


def _redis(port, tmp_path):
    return subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _registered(conn) -> bool:
    """The cron scheduler is registered (RQ's registry of cron schedulers has a member)."""
    try:
        return any(conn.type(key) == b"zset" and conn.zcard(key) for key in conn.scan_iter("rq:cron*"))
    except redis.RedisError:
        return False


def _wait(predicate, timeout=30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_the_scheduler_outlives_a_redis_restart(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not installed")
    port = free_port()
    server = _redis(port, tmp_path)
    conn = redis.Redis(port=port)
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}", SECRET_KEY=TEST_SECRET,
               JOBS_BROKER_URL=f"redis://127.0.0.1:{port}/0", SEARCH_INDEX_DIR=str(tmp_path / "index"),
               UPLOAD_DIR=str(tmp_path / "uploads"))
    log = tmp_path / "scheduler.log"
    scheduler = subprocess.Popen([sys.executable, "-m", "flask", "--app", "marketplace", "scheduler"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=open(log, "wb"))  # noqa: SIM115
    try:
        assert _wait(lambda: _registered(conn)), "the scheduler never registered"
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        # RQ's cron loop meets the lost Redis at its next minute (it sleeps until then); it used to end there
        assert _wait(lambda: "lost the broker" in log.read_text(errors="replace"), timeout=75)
        assert scheduler.poll() is None, "the scheduler ended with Redis"
        server = _redis(port, tmp_path)  # back, empty (no persistence), as after a failover
        assert _wait(lambda: _registered(conn)), "the scheduler did not register again"
        assert scheduler.poll() is None
    finally:
        scheduler.terminate()
        try:
            scheduler.wait(15)
        except subprocess.TimeoutExpired:
            scheduler.kill()
        server.kill()
        server.wait(10)
