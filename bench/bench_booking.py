"""Booking throughput under concurrency: gunicorn (2 workers) on PostgreSQL.

    python bench/bench_booking.py [--seconds 30] [--clients 32] [--instruments 200]
                                  [--database postgresql+psycopg://postgres@127.0.0.1:5432/test_booking]

1. creates the schema in the given database (drops what is there) and loads a lab with
   `--instruments` bookable instruments and `--clients` company users with API tokens;
2. starts gunicorn from marketplace/deploy/gunicorn.conf.py with 2 workers on a free loopback port and,
   with `--jobs redis` (the default when Redis answers at BENCH_REDIS_URL, db 1), an RQ worker
   (`flask worker`) beside it on a queue of its own, so notifications leave the request as in production
   (through the job outbox: the jobs waiting when the clients stop are counted there and in RQ's queue);
   `--jobs in-process` runs them in the web process after the commit (no broker);
3. measures a trivial endpoint (GET /healthz) with the same clients for a few seconds;
4. lets the clients create bookings (POST /api/v1/bookings) for `--seconds` seconds — mostly on
   distinct slots, about 10 % deliberately aimed at slots other clients may take (409s);
5. prints bookings/s next to the trivial requests/s, where the CPU went per request (web workers, job
   worker, PostgreSQL, the load client; read from /proc), and checks in SQL that no two active bookings
   of one instrument overlap.
The load comes from wrk (Debian's package `wrk`) replaying a plan through bench/wrk_plan.lua, one
connection per client, each request on a new connection; without wrk (or with `--client python`),
from Python threads with requests, which take a third of a core or more of the same two cores.
Targets: >= 150 bookings/s and >= 0.3 of the trivial rate.
"""
import argparse
import json
import os
import pwd
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import SECRET_KEY, cpu_by, ensure_database, report  # noqa: E402

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_booking"
LOCAL = ZoneInfo("Asia/Shanghai")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_database(url: str, n_instruments: int, n_clients: int) -> tuple[list[int], list[str]]:
    import hashlib

    import sqlalchemy as sa

    from marketplace import create_app
    from marketplace.accounts.models import ApiToken, Organisation, User
    from marketplace.catalog.models import Instrument, ResourcePlatform
    from marketplace.core.timeutil import utcnow
    from marketplace.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "AUTO_INDEX": False, "TESTING": False, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
        db.drop_all()
        db.create_all()
        lab = Organisation(name="基准测试分析测试中心", kind="university", city="南京")
        db.session.add(lab)
        db.session.flush()
        db.session.add_all([User(email=f"staff{i}@lab.bench", name=f"实验员{i}", password_hash="x",
                                 organisation_id=lab.id) for i in range(2)])
        insts = []
        for i in range(n_instruments):
            inst = Instrument(title=f"基准仪器 {i}", owner_org_id=lab.id, city="南京", status="published",
                              published_at=utcnow(), model="X", manufacturer="Y", original_value=50_000_000,
                              category_l1="分析仪器", service_mode="staff_operated", price_unit="hour",
                              internal_price=10_000, external_price=30_000, bookable=True)
            inst.platform_rows = [ResourcePlatform(platform="sharing")]
            insts.append(inst)
        db.session.add_all(insts)
        tokens = []
        for c in range(n_clients):
            org = Organisation(name=f"基准企业 {c}", kind="enterprise", city="苏州", sme=True)
            db.session.add(org)
            db.session.flush()
            user = User(email=f"client{c}@corp.bench", name=f"客户{c}", password_hash="x", organisation_id=org.id)
            db.session.add(user)
            db.session.flush()
            secret = "jsst_" + secrets.token_urlsafe(32)
            db.session.add(ApiToken(user_id=user.id, name="bench", prefix=secret[:12],
                                    token_hash=hashlib.sha256(secret.encode()).hexdigest()))
            tokens.append(secret)
        db.session.commit()
        ids = [i.id for i in insts]
        db.engine.dispose()
    return ids, tokens


def weekday_slots(days_from: int, days_to: int, step_minutes: int = 60) -> list[tuple[str, str]]:
    """Every 1-hour slot of Mon–Fri 08:30–17:30 local between the given day offsets, ISO with offset."""
    today = datetime.now(LOCAL).date()
    out = []
    for d in range(days_from, days_to):
        day = today + timedelta(days=d)
        if day.weekday() >= 5:
            continue
        t = datetime.combine(day, dtime(8, 30), LOCAL)
        close = datetime.combine(day, dtime(17, 30), LOCAL)
        while t + timedelta(minutes=step_minutes) <= close:
            out.append((t.isoformat(), (t + timedelta(minutes=step_minutes)).isoformat()))
            t += timedelta(minutes=step_minutes)
    return out


def redis_reachable(url: str) -> bool:
    try:
        import redis
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return True
    except Exception:  # noqa: BLE001
        return False


def bench_env(url: str, jobs: dict | None) -> dict:
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=SECRET_KEY, MAIL_BACKEND="log",
               PYTHONPATH=str(ROOT))
    env.pop("JOBS_BROKER_URL", None)
    if jobs:
        env.update(JOBS_BROKER_URL=jobs["url"], JOBS_QUEUE=jobs["queue"])
    return env


def start_worker(url: str, jobs: dict, log_path: Path):
    flask = Path(sys.executable).with_name("flask")
    log = open(log_path, "w")
    return subprocess.Popen([str(flask), "--app", "marketplace", "worker"], env=bench_env(url, jobs), cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def drop_queue(jobs: dict) -> None:
    import redis
    from rq import Queue
    conn = redis.Redis.from_url(jobs["url"])
    q = Queue(jobs["queue"], connection=conn)
    ids = set(q.get_job_ids())
    for reg in (q.failed_job_registry, q.finished_job_registry, q.started_job_registry, q.scheduled_job_registry):
        ids.update(reg.get_job_ids())
    for job_id in ids:
        conn.delete(f"rq:job:{job_id}", f"rq:results:{job_id}", f"rq:executions:{job_id}")
    keys = list(conn.scan_iter(match=f"*{jobs['queue']}*"))
    if keys:
        conn.delete(*keys)
    conn.srem("rq:queues", f"rq:queue:{jobs['queue']}")


def queue_counts(jobs: dict, url: str) -> tuple[int, int]:
    """Jobs waiting (rows in the job outbox plus RQ's queue) and jobs failed after their retries."""
    import redis
    import sqlalchemy as sa
    from rq import Queue
    q = Queue(jobs["queue"], connection=redis.Redis.from_url(jobs["url"]))
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        waiting = conn.execute(sa.text("SELECT count(*) FROM job_outbox WHERE queue = :q"), {"q": jobs["queue"]}).scalar()
    engine.dispose()
    return waiting + q.count, q.failed_job_registry.count


def start_gunicorn(url: str, port: int, workers: int, threads: int, log_path: Path, jobs: dict | None = None):
    env = bench_env(url, jobs)
    env["GUNICORN_ACCESSLOG"] = str(log_path.with_name(log_path.stem + "_access.log"))
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # the deployment's own settings (marketplace/deploy/gunicorn.conf.py), with the benchmark's worker count
    # and no recycling: a worker restarted after max_requests starts a new app (a second of CPU, the
    # search warm-up) inside whichever phase it falls in, which moved the CPU ratio of one run by ×2
    cmd = [str(gunicorn) if gunicorn.exists() else "gunicorn", "-c", str(ROOT / "marketplace/deploy/gunicorn.conf.py"),
           "-w", str(workers), "--threads", str(max(threads, 1)), "-b", f"127.0.0.1:{port}",
           "--max-requests", "0", "--log-level", "warning", "--chdir", str(ROOT)]
    # A bounded pool per worker (one connection per thread): the PostgreSQL server is shared.
    pool = {"pool_size": max(threads, 1), "max_overflow": 0, "pool_timeout": 30, "pool_pre_ping": False}
    cmd.append(f"marketplace:create_app({{'SQLALCHEMY_ENGINE_OPTIONS': {pool!r}}})")
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit(f"gunicorn did not start; see {log_path}")


def run_clients(n_clients: int, seconds: float, work) -> dict:
    """Run work(client_index, session) in a loop in n threads for `seconds`; tally its results."""
    stop = time.perf_counter() + seconds
    tallies = [dict() for _ in range(n_clients)]
    barrier = threading.Barrier(n_clients + 1)

    def loop(c):
        session = requests.Session()
        # a new connection per request spreads the clients over the workers (a kept-alive
        # connection stays with the worker that accepted it, which can leave the other idle)
        session.headers["Connection"] = "close"
        barrier.wait()
        t = tallies[c]
        while time.perf_counter() < stop:
            key = work(c, session)
            t[key] = t.get(key, 0) + 1

    threads = [threading.Thread(target=loop, args=(c,), daemon=True) for c in range(n_clients)]
    for th in threads:
        th.start()
    barrier.wait()
    started = time.perf_counter()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - started
    total: dict = {}
    for t in tallies:
        for k, v in t.items():
            total[k] = total.get(k, 0) + v
    total["_seconds"] = elapsed
    return total


def plan_file(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """Write wrk_plan.lua's plan: one request per line, METHOD, PATH, TOKEN, BODY separated by tabs."""
    path.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def run_wrk(url: str, plan: Path, connections: int, seconds: float) -> dict:
    """Replay `plan` against `url` with wrk for `seconds`; tally statuses like run_clients, plus the
    client's own CPU seconds (wrk is this process's only child that ends in the meantime)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(int(round(seconds)), 1)}s", "--timeout", "30s",
         "-s", str(ROOT / "bench" / "wrk_plan.lua"), url],
        env=dict(os.environ, PLAN=str(plan)), capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    counts = next(json.loads(line.split(" ", 1)[1]) for line in out.splitlines() if line.startswith("STATUS_COUNTS"))
    took = re.search(r" requests in ([\d.]+)(ms|s|m)", out)
    elapsed = float(took.group(1)) * {"ms": 0.001, "s": 1, "m": 60}[took.group(2)] if took else seconds
    total = {int(k): v for k, v in counts.items()}
    total["_seconds"] = elapsed
    total["_client_cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return total


def pg_backends(url: str) -> set[int]:
    """The pids of the PostgreSQL backends connected to the benchmark's database (not this query's)."""
    import sqlalchemy as sa
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return set(conn.scalars(sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                            "AND pid <> pg_backend_pid()")))
    finally:
        engine.dispose()


def process_cpu(pid: int) -> float:
    """CPU seconds a process has used (0 when it has ended)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:13]) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(groups: dict[str, int], url: str | None = None, backends: set[int] | None = None) -> dict[str, float]:
    """CPU seconds used so far by each process group in `groups` (name -> pgid) and by PostgreSQL: with
    `backends` (pids, see pg_backends), only those backends: the benchmark's own connections, not the
    other databases of a shared server nor its background writers; else every process owned by
    `postgres`. {} without /proc."""
    try:
        pg_uid = pwd.getpwnam("postgres").pw_uid
    except KeyError:
        pg_uid = None
    by_pgid = {pgid: name for name, pgid in groups.items()}
    if backends is None:
        used = cpu_by(lambda _ppid, pgid, uid: by_pgid.get(pgid) or ("postgres" if uid == pg_uid else None))
    else:
        used = cpu_by(lambda _ppid, pgid, _uid: by_pgid.get(pgid))
        if used is not None:
            used["postgres"] = sum(process_cpu(pid) for pid in backends)
    return {} if used is None else {name: used.get(name, 0.0) for name in [*groups, "postgres"]}


def cpu_per_request(before: dict, after: dict, client_cpu: float, requests_done: int) -> dict[str, float]:
    """Milliseconds of CPU per request for each process group between two cpu_seconds() readings."""
    if not requests_done:
        return {}
    per = {name: 1000 * (after[name] - before.get(name, 0)) / requests_done for name in after}
    per["client"] = 1000 * client_cpu / requests_done
    return per


def overlap_check(url: str) -> tuple[int, int]:
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        overlaps = conn.execute(sa.text(
            "SELECT count(*) FROM bookings a JOIN bookings b ON a.instrument_id = b.instrument_id "
            "AND a.id < b.id AND a.start < b.\"end\" AND b.start < a.\"end\" "
            "WHERE a.status IN ('requested','approved','in_use') AND b.status IN ('requested','approved','in_use')"
        )).scalar()
        total = conn.execute(sa.text("SELECT count(*) FROM bookings")).scalar()
    engine.dispose()
    return overlaps, total


SERVER = ("web", "worker", "postgres")  # the server's processes; the load client is not one of them


def server_cpu(per: dict) -> float:
    return sum(per.get(name, 0.0) for name in SERVER)


def cpu_line(booking: dict, trivial: dict) -> str:
    b, t = server_cpu(booking), server_cpu(trivial)
    return f"CPU ms per booking {b:.2f}, per /healthz {t:.2f}: ×{b / t if t else float('nan'):.1f}"


def cpu_table(booking: dict, trivial: dict, trivial_path: str) -> str:
    """CPU milliseconds per request of each server process group, per booking and per trivial request."""
    rows = [f"{'CPU ms per request':<22}{'booking':>10}{trivial_path:>10}{'ratio':>8}"]
    for name in (*SERVER, "server"):
        b = server_cpu(booking) if name == "server" else booking.get(name, 0.0)
        t = server_cpu(trivial) if name == "server" else trivial.get(name, 0.0)
        ratio = f"×{b / t:.1f}" if t > 0.05 else "—"
        rows.append(f"{name:<22}{b:>10.2f}{t:>10.2f}{ratio:>8}")
    rows.append(f"{'load client':<22}{booking.get('client', 0.0):>10.2f}{trivial.get('client', 0.0):>10.2f}")
    return "\n".join(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--trivial-seconds", type=float, default=8)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--instruments", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4, help="gthread threads per worker (1 = sync workers)")
    ap.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    ap.add_argument("--trivial-path", default="/healthz")
    ap.add_argument("--jobs", choices=["auto", "redis", "in-process"], default="auto",
                    help="where notifications run: an RQ worker through Redis, or in the web process")
    ap.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1"))
    ap.add_argument("--client", choices=["auto", "wrk", "python"], default="auto",
                    help="the load generator: wrk (when installed) or Python threads")
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "1")),
                    help="measure /healthz then bookings this many times against the same server; medians")
    args = ap.parse_args(argv)
    if os.environ.get("BENCH_QUICK"):  # make bench-quick: short phases, three runs
        args.seconds, args.trivial_seconds = min(args.seconds, 10), min(args.trivial_seconds, 4)
        args.runs = max(args.runs, 3)
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "python"
    if args.client == "python":
        print("load from Python threads (install Debian's wrk for a client that leaves the cores to the server)")
    if args.jobs == "auto":
        args.jobs = "redis" if redis_reachable(args.redis) else "in-process"
    jobs = {"url": args.redis, "queue": f"bench-booking-{os.getpid()}"} if args.jobs == "redis" else None

    ensure_database(args.database)
    print(f"setting up {args.instruments} instruments, {args.clients} clients in {args.database.rsplit('@', 1)[-1]} …")
    inst_ids, tokens = setup_database(args.database, args.instruments, args.clients)
    slots = weekday_slots(3, 58)
    port = free_port()
    log_path = ROOT / "bench" / "out" / "gunicorn_booking.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    worker = start_worker(args.database, jobs, log_path.with_name("worker_booking.log")) if jobs else None
    proc = start_gunicorn(args.database, port, args.workers, args.threads, log_path, jobs)
    base = f"http://127.0.0.1:{port}"
    backlog, drained_in = None, 0.0
    try:
        # 1. the trivial endpoint, same server, same clients
        trivial_url = base + args.trivial_path
        groups = {"web": proc.pid, **({"worker": worker.pid} if worker else {})}  # own sessions: pgid = pid
        workdir = log_path.parent
        seen_backends: set[int] = set()

        def backends():
            """Our database's backends, every one seen so far (a pid read before and after a phase
            counts what it used in between; one that appeared meanwhile counts from its start)."""
            if os.environ.get("BENCH_PG_ALL") or not args.database.startswith("postgresql"):
                return None
            seen_backends.update(pg_backends(args.database))
            return set(seen_backends)

        def phase(path, requests_fn, seconds, plan_rows):
            """Run one load phase with the chosen client: its tallies, and the CPU reading taken before it."""
            before, self_before = cpu_seconds(groups, backends=backends()), os.times()
            if args.client == "wrk":
                tally = run_wrk(base + path, plan_file(workdir / "wrk_plan.txt", plan_rows()), args.clients, seconds)
            else:
                tally = run_clients(args.clients, seconds, requests_fn)
                now = os.times()
                tally["_client_cpu"] = (now.user - self_before.user) + (now.system - self_before.system)
            return tally, before

        def trivial(c, session):
            return session.get(trivial_url, timeout=30).status_code

        # 2. bookings: each client walks its own instruments' slots; ~10 % aim at a shared hot spot
        rng = [random.Random(c) for c in range(args.clients)]
        cursors = [0] * args.clients
        mine = [[i for k, i in enumerate(inst_ids) if k % args.clients == c] or inst_ids
                for c in range(args.clients)]
        plan = [[(inst, s) for s in slots for inst in mine[c]] for c in range(args.clients)]
        hot = [(inst_ids[k], slots[k]) for k in range(min(20, len(inst_ids)))]

        def next_booking(c):
            """Client c's next request body (a dict), or None when its slots are used up."""
            if rng[c].random() < 0.1:
                inst, (s, e) = rng[c].choice(hot)
            else:
                if cursors[c] >= len(plan[c]):
                    return None
                inst, (s, e) = plan[c][cursors[c]]
                cursors[c] += 1
            return {"instrument_id": inst, "start": s, "end": e, "purpose": "基准测试"}

        def book(c, session):
            body = next_booking(c)
            if body is None:
                return "exhausted"
            resp = session.post(f"{base}/api/v1/bookings", headers={"Authorization": f"Bearer {tokens[c]}"},
                                json=body, timeout=30)
            return resp.status_code

        def booking_plan():
            """The clients' requests interleaved, as many as a fast server could take in the run."""
            rows = []
            for _ in range(int(args.seconds * 1000 / args.clients) + 1):
                for c in range(args.clients):
                    body = next_booking(c)
                    if body is not None:
                        rows.append(("POST", "/api/v1/bookings", tokens[c], json.dumps(body, ensure_ascii=False)))
            return rows

        runs = []
        for run in range(args.runs):
            t, before = phase(args.trivial_path, trivial, args.trivial_seconds, lambda: [("GET", args.trivial_path, "", "")])
            trivial_rate = t.get(200, 0) / t["_seconds"]
            trivial_cpu = cpu_per_request(before, cpu_seconds(groups, backends=backends()), t["_client_cpu"],
                                          sum(v for k, v in t.items() if isinstance(k, int)))
            b, before = phase("/api/v1/bookings", book, args.seconds, booking_plan)
            if jobs:  # the notifications the bookings queued: how many wait, then let the worker finish them
                backlog = queue_counts(jobs, args.database)[0]
                drain_started = time.time()
                while queue_counts(jobs, args.database)[0] and time.time() < drain_started + 180:
                    time.sleep(0.5)
                drained_in = time.time() - drain_started
            # the worker's share includes finishing the backlog: all of it follows from these bookings
            booking_cpu = cpu_per_request(before, cpu_seconds(groups, backends=backends()), b["_client_cpu"],
                                          sum(v for k, v in b.items() if isinstance(k, int)))
            runs.append(dict(trivial_rate=trivial_rate, trivial_cpu=trivial_cpu, booking_cpu=booking_cpu, b=b,
                             backlog=backlog, drained_in=drained_in))
            print(f"run {run + 1}/{args.runs}: {b.get(201, 0) / b['_seconds']:.1f} bookings/s, "
                  f"{cpu_line(booking_cpu, trivial_cpu)}", flush=True)
    finally:
        for p in (proc, worker):
            if p is None:
                continue
            os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        failed_jobs = queue_counts(jobs, args.database)[1] if jobs else 0
        if jobs:
            drop_queue(jobs)
    import statistics
    med = statistics.median
    b = runs[-1]["b"]
    booking_rate = med(r["b"].get(201, 0) / r["b"]["_seconds"] for r in runs)
    attempts = med(sum(v for k, v in r["b"].items() if isinstance(k, int)) / r["b"]["_seconds"] for r in runs)
    trivial_rate = med(r["trivial_rate"] for r in runs)
    trivial_cpu = {k: med(r["trivial_cpu"].get(k, 0.0) for r in runs) for k in runs[0]["trivial_cpu"]}
    booking_cpu = {k: med(r["booking_cpu"].get(k, 0.0) for r in runs) for k in runs[0]["booking_cpu"]}
    cpu_ratio = med(server_cpu(r["booking_cpu"]) / server_cpu(r["trivial_cpu"]) for r in runs
                    if server_cpu(r["trivial_cpu"]))
    overlaps, total = overlap_check(args.database)
    ratio = booking_rate / trivial_rate if trivial_rate else 0
    print()
    print(f"medians of {len(runs)} run(s); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(CPU time per request is what to compare on a loaded machine, not the rates)")
    print(f"{'measure':<40}{'value':>14}")
    print(f"{'trivial GET ' + args.trivial_path + ' (req/s)':<40}{trivial_rate:>14.1f}")
    print(f"{'bookings created (201/s)':<40}{booking_rate:>14.1f}")
    print(f"{'booking requests incl. 409 (req/s)':<40}{attempts:>14.1f}")
    print(f"{'ratio bookings / trivial':<40}{ratio:>14.2f}")
    print(f"{'responses (last run)':<40}{str({k: v for k, v in b.items() if not str(k).startswith('_')}):>14}")
    print(f"{'bookings in database':<40}{total:>14}")
    print(f"{'jobs (notifications, mail)':<40}{args.jobs:>14}")
    if jobs:
        print(f"{'jobs queued when the clients stopped':<40}{med(r['backlog'] for r in runs):>14}")
        print(f"{'seconds the worker took to finish them':<40}{med(r['drained_in'] for r in runs):>14.1f}")
        print(f"{'jobs failed':<40}{failed_jobs:>14}")
    print(f"{'load client':<40}{args.client:>14}")
    print()
    print(cpu_table(booking_cpu, trivial_cpu, args.trivial_path))
    print(f"CPU per booking / CPU per {args.trivial_path}, all server processes: ×{cpu_ratio:.1f} (target ≤ ×8)")
    print(f"{'overlapping active pairs (must be 0)':<40}{overlaps:>14}")
    report("booking", [
        (f"bookings created per second (jobs {args.jobs}, load from {args.client})", round(booking_rate, 1), ""),
        (f"trivial GET {args.trivial_path} per second", round(trivial_rate, 1), ""),
        *[(f"CPU ms per booking / per {args.trivial_path}: {name}",
           f"{booking_cpu.get(name, 0):.2f} / {trivial_cpu.get(name, 0):.2f}", "") for name in SERVER],
        (f"CPU per booking / CPU per {args.trivial_path}, server processes", round(cpu_ratio, 1), "≤ 8"),
        ("overlapping active bookings", overlaps, "0"),
    ])
    other = {k: v for k, v in b.items() if k not in (201, 409) and not str(k).startswith("_")}
    if other:
        print(f"unexpected responses: {other} (see {log_path})")
    return 0 if overlaps == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
