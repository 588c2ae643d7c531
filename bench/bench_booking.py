"""Booking throughput under concurrency: gunicorn (2 workers) on PostgreSQL.

    python bench/bench_booking.py [--seconds 30] [--clients 32] [--instruments 200]
                                  [--database postgresql+psycopg://postgres@127.0.0.1:5432/test_booking]

1. creates the schema in the given database (drops what is there) and loads a lab with
   `--instruments` bookable instruments and `--clients` company users with API tokens;
2. starts gunicorn with 2 workers on a free loopback port;
3. measures a trivial endpoint (GET /healthz) with the same clients for a few seconds;
4. lets the clients create bookings (POST /api/v1/bookings) for `--seconds` seconds — mostly on
   distinct slots, about 10 % deliberately aimed at slots other clients may take (409s);
5. prints bookings/s next to the trivial requests/s, and checks in SQL that no two active
   bookings of one instrument overlap.
Targets: >= 150 bookings/s and >= 0.3 of the trivial rate.
"""
import argparse
import os
import random
import secrets
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
from bench.common import ensure_database, report  # noqa: E402

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

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "AUTO_INDEX": False, "TESTING": False, "SECRET_KEY": "bench"})
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


def start_gunicorn(url: str, port: int, workers: int, threads: int, log_path: Path):
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench-secret", MAIL_BACKEND="log",
               PYTHONPATH=str(ROOT))
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [str(gunicorn) if gunicorn.exists() else "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
           "--log-level", "warning", "--chdir", str(ROOT)]
    if threads > 1:
        cmd += ["-k", "gthread", "--threads", str(threads)]
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
    args = ap.parse_args(argv)

    ensure_database(args.database)
    print(f"setting up {args.instruments} instruments, {args.clients} clients in {args.database.rsplit('@', 1)[-1]} …")
    inst_ids, tokens = setup_database(args.database, args.instruments, args.clients)
    slots = weekday_slots(3, 58)
    port = free_port()
    log_path = ROOT / "bench" / "out" / "gunicorn_booking.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    proc = start_gunicorn(args.database, port, args.workers, args.threads, log_path)
    base = f"http://127.0.0.1:{port}"
    try:
        # 1. the trivial endpoint, same server, same clients
        trivial_url = base + args.trivial_path

        def trivial(c, session):
            return session.get(trivial_url, timeout=30).status_code

        t = run_clients(args.clients, args.trivial_seconds, trivial)
        trivial_rate = t.get(200, 0) / t["_seconds"]

        # 2. bookings: each client walks its own instruments' slots; ~10 % aim at a shared hot spot
        rng = [random.Random(c) for c in range(args.clients)]
        cursors = [0] * args.clients
        mine = [[i for k, i in enumerate(inst_ids) if k % args.clients == c] or inst_ids
                for c in range(args.clients)]
        plan = [[(inst, s) for s in slots for inst in mine[c]] for c in range(args.clients)]
        hot = [(inst_ids[k], slots[k]) for k in range(min(20, len(inst_ids)))]
        headers = [{"Authorization": f"Bearer {tok}"} for tok in tokens]

        def book(c, session):
            if rng[c].random() < 0.1:
                inst, (s, e) = rng[c].choice(hot)
            else:
                if cursors[c] >= len(plan[c]):
                    return "exhausted"
                inst, (s, e) = plan[c][cursors[c]]
                cursors[c] += 1
            resp = session.post(f"{base}/api/v1/bookings", headers=headers[c], timeout=30,
                                json={"instrument_id": inst, "start": s, "end": e, "purpose": "基准测试"})
            return resp.status_code

        b = run_clients(args.clients, args.seconds, book)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    booking_rate = b.get(201, 0) / b["_seconds"]
    attempts = sum(v for k, v in b.items() if isinstance(k, int)) / b["_seconds"]
    overlaps, total = overlap_check(args.database)
    ratio = booking_rate / trivial_rate if trivial_rate else 0
    print()
    print(f"{'measure':<40}{'value':>14}")
    print(f"{'trivial GET ' + args.trivial_path + ' (req/s)':<40}{trivial_rate:>14.1f}")
    print(f"{'bookings created (201/s)':<40}{booking_rate:>14.1f}")
    print(f"{'booking requests incl. 409 (req/s)':<40}{attempts:>14.1f}")
    print(f"{'ratio bookings / trivial':<40}{ratio:>14.2f}")
    print(f"{'responses':<40}{str({k: v for k, v in b.items() if k != '_seconds'}):>14}")
    print(f"{'bookings in database':<40}{total:>14}")
    print(f"{'overlapping active pairs (must be 0)':<40}{overlaps:>14}")
    ok = overlaps == 0 and booking_rate >= 150 and ratio >= 0.3
    print(f"targets (>=150 bookings/s, ratio >=0.3, no overlap): {'MET' if ok else 'NOT MET'}")
    report("booking", [
        ("bookings created per second", round(booking_rate, 1), ">= 150"),
        (f"trivial GET {args.trivial_path} per second", round(trivial_rate, 1), ""),
        ("ratio bookings / trivial", round(ratio, 2), ">= 0.3"),
        ("overlapping active bookings", overlaps, "0"),
    ])
    other = {k: v for k, v in b.items() if k not in (201, 409, "_seconds")}
    if other:
        print(f"unexpected responses: {other} (see {log_path})")
    return 0 if overlaps == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
