"""`make soak`: the production set of processes under a mixed load, with faults injected on a schedule.

It brings up its own stack in a temporary folder, on free ports, so it never touches a PostgreSQL or
Redis someone else uses: a PostgreSQL cluster (initdb + pg_ctl), a Redis, localstripe, the demo data
and search index, gunicorn (2 workers), the RQ worker and the RQ scheduler — what `make run-full`
runs. Then locust (headless, bench/soak_locustfile.py) drives SOAK_USERS users for SOAK_SECONDS
seconds while the faults of SOAK_FAULTS (db, gateway, worker, web, redis; `none`) happen one after
another, spread over the run. Afterwards it waits for the queues to drain, checks the invariants,
writes bench/results/soak.json (CONTRACT.md, "soak report") and prints a table. Exit 1 unless ok.

    python bench/soak.py --users 20 --seconds 60 --faults db
"""
import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.soak_report import analyse, check_invariants, print_table  # noqa: E402
from bench.throwaway import ThrowawayPostgres, free_port  # noqa: E402

PY = sys.executable
FAULTS = ("db", "gateway", "worker", "web", "redis")


def wait_http(url, timeout=60):
    import requests
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout}s")


class Stack:
    """The processes of `make run-full` on private ports, plus the means to break them."""

    def __init__(self, resources: int):
        self.resources = resources
        self.dir = Path(tempfile.mkdtemp(prefix="jsst-soak-"))
        self.procs: dict[str, subprocess.Popen] = {}
        self.pg = ThrowawayPostgres()
        self.redis_port, self.stripe_port, self.web_port = free_port(), free_port(), free_port()
        self.env = dict(os.environ, DATABASE_URL=self.pg.url, JOBS_BROKER_URL=f"redis://127.0.0.1:{self.redis_port}/0",
                        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{self.redis_port}/1",
                        STRIPE_API_BASE=f"http://127.0.0.1:{self.stripe_port}", SECRET_KEY=secrets.token_urlsafe(48),
                        SEARCH_INDEX_DIR=str(self.dir / "index"), UPLOAD_DIR=str(self.dir / "uploads"),
                        GUNICORN_BIND=f"127.0.0.1:{self.web_port}", WEB_CONCURRENCY="2", GUNICORN_THREADS="4",
                        GUNICORN_ACCESSLOG="", GUNICORN_LOGLEVEL="warning", TZ="UTC", PYTHONPATH=str(ROOT),
                        STRIPE_WEBHOOK_SECRET="whsec_" + secrets.token_hex(16))
        self.base = f"http://127.0.0.1:{self.web_port}"
        self.timings: dict[str, float] = {}

    def flask(self, *args, check=True):
        done = subprocess.run([PY, "-m", "flask", "--app", "marketplace", *args], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=900)
        if check and done.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return done

    def spawn(self, name, cmd, **env):
        log = open(self.dir / f"{name}.log", "ab")  # noqa: SIM115
        self.procs[name] = subprocess.Popen(cmd, env=dict(self.env, **env), cwd=ROOT, stdout=log, stderr=log,
                                            start_new_session=True)

    def start_redis(self):
        self.spawn("redis", ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
                             "--dir", str(self.dir), "--appendonly", "yes", "--save", ""])
        deadline = time.time() + 20
        import redis
        while time.time() < deadline:
            try:
                redis.Redis(port=self.redis_port).ping()
                return
            except redis.RedisError:
                time.sleep(0.1)

    def start_gateway(self):
        """localstripe, told to post its signed events to the app's webhook as Stripe would."""
        import requests
        self.spawn("gateway", [PY, "-m", "marketplace.core.localstripe_server", "--port", str(self.stripe_port)])
        gateway = self.env["STRIPE_API_BASE"]
        wait_http(gateway + "/v1/balance", timeout=60)
        requests.post(f"{gateway}/_config/webhooks/soak", timeout=10, data={
            "url": f"{self.base}/api/v1/payments/webhook", "secret": self.env["STRIPE_WEBHOOK_SECRET"]})

    def start_worker(self):
        self.spawn("worker", [PY, "-m", "flask", "--app", "marketplace", "worker"])

    def up(self):
        began = time.time()
        self.pg.start()
        self.start_redis()
        self.start_gateway()
        done = subprocess.run([PY, "-m", "bench.soak_setup", "--resources", str(self.resources)], env=self.env,
                              cwd=ROOT, capture_output=True, text=True, timeout=1800)
        if done.returncode:
            raise RuntimeError(f"bench.soak_setup failed:\n{done.stderr[-3000:]}")
        self.cast = json.loads(done.stdout.strip().splitlines()[-1])
        self.timings.update(self.cast.pop("timings"))
        self.start_worker()
        self.spawn("scheduler", [PY, "-m", "flask", "--app", "marketplace", "scheduler"])
        self.spawn("web", [PY, "-m", "gunicorn", "-c", "marketplace/deploy/gunicorn.conf.py"], SEARCH_WARM_UP="1")
        wait_http(self.base + "/healthz")
        self.timings["start-up"] = round(time.time() - began, 1)

    # -- faults: each returns when the thing is back ------------------------------------------------
    def fault_db(self, hold):
        self.pg.stop()
        time.sleep(hold)
        self.pg.start()

    def fault_gateway(self, hold):
        self.procs["gateway"].terminate()
        self.procs["gateway"].wait(10)
        time.sleep(hold)
        self.start_gateway()

    def fault_worker(self, hold):
        self.procs["worker"].send_signal(signal.SIGKILL)
        self.procs["worker"].wait(10)
        time.sleep(hold)
        self.start_worker()

    def fault_web(self, hold):
        import psutil
        children = psutil.Process(self.procs["web"].pid).children()
        if children:
            children[0].send_signal(signal.SIGKILL)  # the master forks a new worker
        time.sleep(hold)

    def fault_redis(self, hold):
        self.procs["redis"].send_signal(signal.SIGKILL)
        self.procs["redis"].wait(10)
        time.sleep(hold)
        self.start_redis()

    def down(self):
        for proc in reversed(list(self.procs.values())):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        self.pg.remove()


def run_faults(stack, names, seconds, started, timeline):
    """Faults spread over the run: the i-th of n starts at (i+1)/(n+1) of it."""
    for i, name in enumerate(names):
        at = seconds * (i + 1) / (len(names) + 1)
        time.sleep(max(0.0, started + at - time.time()))
        hold = {"db": 3, "gateway": min(60, seconds / 6), "worker": 2, "web": 0, "redis": 3}[name]
        begin = time.time()
        getattr(stack, f"fault_{name}")(hold)
        timeline.append({"name": name, "at_s": round(begin - started, 1), "duration_s": round(time.time() - begin, 1)})


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--users", type=int, default=int(os.environ.get("SOAK_USERS", 200)))
    p.add_argument("--seconds", type=int, default=int(os.environ.get("SOAK_SECONDS", 600)))
    p.add_argument("--faults", default=os.environ.get("SOAK_FAULTS", ",".join(FAULTS)))
    p.add_argument("--resources", type=int, default=int(os.environ.get("SOAK_RESOURCES", 300)))
    p.add_argument("--only", default="", help="comma-separated user classes of the locustfile (default: all)")
    p.add_argument("--out", default=str(ROOT / "bench" / "results" / "soak.json"))
    args = p.parse_args(argv)
    faults = [] if args.faults in ("", "none") else [f.strip() for f in args.faults.split(",")]
    unknown = set(faults) - set(FAULTS)
    if unknown:
        p.error(f"unknown faults {sorted(unknown)}; choose from {', '.join(FAULTS)} or none")

    stack = Stack(args.resources)
    events_file = stack.dir / "events.jsonl"
    timeline: list[dict] = []
    try:
        print(f"bringing the stack up in {stack.dir} …", flush=True)
        stack.up()
        cast = stack.cast
        env = dict(stack.env, SOAK_EVENTS=str(events_file), SOAK_COMPANY_TOKEN=cast["tokens"]["company"],
                   SOAK_LAB_TOKEN=cast["tokens"]["lab"], SOAK_INSTRUMENTS=",".join(map(str, cast["instruments"])),
                   SOAK_LAB_INSTRUMENTS=",".join(map(str, cast["lab_instruments"])),
                   SOAK_RESOURCES=",".join(map(str, cast["resources"])),
                   SOAK_ACHIEVEMENTS=",".join(map(str, cast["achievements"])),
                   SOAK_PAYERS=json.dumps(cast["payers"]), SOAK_PASSWORD=cast["password"])
        print(f"locust: {args.users} users for {args.seconds}s against {stack.base}; faults: {faults or 'none'}",
              flush=True)
        started = time.time()
        locust = subprocess.Popen(
            [PY, "-m", "locust", "-f", str(ROOT / "bench" / "soak_locustfile.py"), "--headless", "--only-summary",
             "-u", str(args.users), "-r", str(max(1, args.users // 10)), "-t", f"{args.seconds}s",
             "--host", stack.base, "--stop-timeout", "10", "--loglevel", "WARNING",
             *[c for c in args.only.split(",") if c]],
            env=env, cwd=ROOT, stdout=open(stack.dir / "locust.log", "ab"), stderr=subprocess.STDOUT)  # noqa: SIM115
        injector = threading.Thread(target=run_faults, args=(stack, faults, args.seconds, started, timeline))
        injector.start()
        locust.wait(args.seconds + 120)
        injector.join()
        report = analyse(events_file, started, args.users, args.seconds, timeline)
        report["start_up_s"] = stack.timings
        report["invariants"] = check_invariants(stack, events_file)
        report["ok"] = report["phases_ok"] and all(report["invariants"].values())
        del report["phases_ok"]
    finally:
        stack.down()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print_table(report)
    print(f"written {args.out}")
    if report["ok"]:
        shutil.rmtree(stack.dir, ignore_errors=True)
    else:  # the processes' logs, for the post-mortem
        print(f"logs kept in {stack.dir}")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
