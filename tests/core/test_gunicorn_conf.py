"""marketplace/deploy/gunicorn.conf.py: workers from the cores, overrides, the guarded warm-up hook."""
import runpy
import sys
import types
from pathlib import Path

CONF = str(Path(__file__).resolve().parents[2] / "marketplace" / "deploy" / "gunicorn.conf.py")


def load(monkeypatch, cores, **env):
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: cores)
    for k in ("WEB_CONCURRENCY", "GUNICORN_MAX_WORKERS", "GUNICORN_THREADS", "GUNICORN_ACCESSLOG",
              "RATELIMIT_STORAGE_URI", "JOBS_BROKER_URL"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return runpy.run_path(CONF)


def test_workers_follow_the_cores_up_to_a_cap(monkeypatch):
    shared = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/1"}
    assert load(monkeypatch, 2, **shared)["workers"] == 5
    assert load(monkeypatch, 16, **shared)["workers"] == 8
    assert load(monkeypatch, 16, GUNICORN_MAX_WORKERS="12", **shared)["workers"] == 12
    assert load(monkeypatch, 2, WEB_CONCURRENCY="3", **shared)["workers"] == 3
    conf = load(monkeypatch, 2, **shared)
    assert conf["timeout"] == 30 and conf["worker_class"] == "gthread" and conf["accesslog"] == "-"
    assert "x-request-id" in conf["access_log_format"]
    assert load(monkeypatch, 2, GUNICORN_ACCESSLOG="")["accesslog"] is None


def test_several_workers_only_with_a_shared_limit_store(monkeypatch):
    """Issue 25: login limits counted per worker let N workers take N times the guesses."""
    alone = load(monkeypatch, 2)
    assert (alone["workers"], alone["threads"], alone["shared_limits"]) == (1, 20, False)
    broker = load(monkeypatch, 2, JOBS_BROKER_URL="redis://127.0.0.1:6379/0")
    assert (broker["workers"], broker["shared_limits"]) == (5, True)
    import os
    assert os.environ["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"  # what the workers' apps read


def test_warm_up_calls_the_search_warm_up(monkeypatch, app):
    conf = load(monkeypatch, 2)
    called = []
    fake = types.ModuleType("marketplace.search")
    fake.warm_up = lambda a: called.append(a)
    monkeypatch.setitem(sys.modules, "marketplace.search", fake)
    assert conf["warm_up"](app) is True and called == [app]

    def broken(a):
        raise OSError("index missing")
    fake.warm_up = broken
    assert conf["warm_up"](app) is False  # logged; the worker serves all the same
