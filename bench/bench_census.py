"""The census and the evaluation over many usage records, on PostgreSQL, beside the settlement.

    python bench/bench_census.py                      # 1,000,000 usage records
    python bench/bench_census.py --rows 20000         # quick
    python bench/bench_census.py --database postgresql+psycopg://postgres@127.0.0.1:5432/test_census

1. uses bench_settlement.py's database when it already holds --rows usage records (`make bench` runs
   the settlement first: the same data, generated once); otherwise, or with --fresh, recreates the
   schema (DROPS what is there) and generates that data with bench_settlement's generator (providers,
   companies, instruments and --rows completed-and-paid bookings in 2026Q4 with their subsidy records);
2. times, through the application's own code, on the same data:
   * the settlement of 2026Q4 (the reference: bench_settlement's headline figure);
   * the census of 2026 grouped by city, type, managing unit and instrument (each one call of
     `census()`, i.e. one API request: usage GROUP BY, inventory, available hours, ledger subsidies);
   * the evaluation of every managing unit for 2026;
3. checks the census against an independent SQL sum of the usage records, and prints one table
   with wall time and CPU time (this process + its PostgreSQL backend: what a step costs when it
   has a core to itself, since the machine may be shared). Targets: census ≤ 5 s, evaluation ≤ 5 s.
"""
import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_settlement import DEFAULT_DB, generate, load_subsidy_records  # noqa: E402
from bench.common import SECRET_KEY, ensure_database, report  # noqa: E402


def _backend_cpu(db, sa) -> float:
    """CPU seconds the PostgreSQL backend of this session has used (from /proc; same machine).
    Parallel query workers are other processes: their CPU is not included (the census queries run
    serially; the settlement's GROUP BY may use workers, so its CPU figure is a lower bound)."""
    pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Timer:
    """Wall time, and CPU time of this process plus the database backend: on a shared machine the
    CPU seconds say what the step costs when it has the cores to itself."""

    def __init__(self, db, sa):
        self.db, self.sa = db, sa

    def __enter__(self):
        self.wall, self.cpu, self.pg = time.perf_counter(), time.process_time(), _backend_cpu(self.db, self.sa)
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu + _backend_cpu(self.db, self.sa) - self.pg


def _forget_settlement(db, sa, programme_id):
    """A reused database may hold a settlement committed by an earlier run: remove it (bench data
    only; the journal's append-only triggers are bypassed for this cleanup) so it is timed afresh."""
    ids = "(SELECT id FROM subsidy_settlements WHERE programme_id = :p AND period = '2026Q4')"
    def ex(sql):
        return db.session.execute(sa.text(sql), {"p": programme_id})
    if not ex(f"SELECT count(*) FROM {ids} s").scalar():
        return
    ex("SET LOCAL session_replication_role = replica")
    ex(f"UPDATE subsidy_programmes SET committed = committed - (SELECT awarded FROM subsidy_settlements "
       f"WHERE id IN {ids}) WHERE id = :p")
    ex(f"DELETE FROM journal_lines WHERE entry_id IN (SELECT id FROM journal_entries WHERE settlement_id IN {ids})")
    ex(f"DELETE FROM journal_entries WHERE settlement_id IN {ids}")
    ex(f"DELETE FROM subsidy_settlement_lines WHERE settlement_id IN {ids}")
    ex(f"DELETE FROM subsidy_settlements WHERE id IN {ids}")
    db.session.commit()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--providers", type=int, default=600)
    ap.add_argument("--companies", type=int, default=20_000)
    ap.add_argument("--instruments", type=int, default=5_000)
    ap.add_argument("--database", default=DEFAULT_DB)
    ap.add_argument("--fresh", action="store_true",
                    help="regenerate the data even when the database already holds --rows usage records")
    args = ap.parse_args()

    import sqlalchemy as sa

    from marketplace import create_app
    from marketplace.census.services.census import census, orgs_served_total
    from marketplace.census.services.evaluation import evaluate
    from marketplace.extensions import db
    from marketplace.subsidy import services
    from marketplace.subsidy.services.settlement import settle_period

    ensure_database(args.database)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "AUTO_INDEX": False, "SECRET_KEY": SECRET_KEY})
    timings = {}
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("this benchmark runs on PostgreSQL (--database postgresql+psycopg://…)")
        t0 = time.perf_counter()
        present = 0
        if not args.fresh:
            present = db.session.scalar(sa.text("SELECT count(*) FROM bookings WHERE status = 'settled'")) \
                if sa.inspect(db.engine).has_table("bookings") else 0
            db.session.rollback()
        if present != args.rows:
            with db.engine.begin() as conn:
                conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
            db.drop_all()
            db.create_all()
            generate(db, sa, args.rows, args.providers, args.companies, args.instruments)
            prog = services.new_programme(actor=None, name="2026 年度大型科学仪器共享双向补贴（基准）", year=2026,
                                          budget=450_000_000 * 100)
            load_subsidy_records(db, sa, prog)
            db.session.commit()
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        gen_s = time.perf_counter() - t0

        prog = services.programme_for_year(2026)
        _forget_settlement(db, sa, prog.id)
        load = os.getloadavg()[0]
        with Timer(db, sa) as t:
            settle_period(prog, "2026Q4", actor=None, system=True, now=datetime(2027, 1, 5))
        timings["settlement"] = t
        db.session.rollback()  # timed, not kept: the data stays reusable

        rows = {}
        for group_by in ("city", "type", "org", "instrument"):
            with Timer(db, sa) as t:
                rows[group_by] = census(2026, group_by)
            timings[f"census {group_by}"] = t
            db.session.rollback()
        with Timer(db, sa) as t:
            served = orgs_served_total(2026)
        timings["census orgs served"] = t
        db.session.rollback()
        with Timer(db, sa) as t:
            units = evaluate(2026)
        timings["evaluation"] = t
        db.session.rollback()
        load = max(load, os.getloadavg()[0])

        # independent check: the usage records' hours and fees summed directly
        used_s, fees = db.session.execute(sa.text(
            "SELECT SUM(EXTRACT(EPOCH FROM actual_end - actual_start))::bigint, SUM(fee) FROM bookings "
            "WHERE status IN ('completed', 'settled')")).one()
        checks = {group_by: sum(r.used_seconds for r in rs) == int(used_s)
                  and sum(r.income_internal + r.income_external for r in rs) == int(fees)
                  for group_by, rs in rows.items()}
        ok = all(checks.values()) and len(units) == args.providers

    census_steps = [t for k, t in timings.items() if k.startswith("census") and k != "census orgs served"]
    worst = max(census_steps, key=lambda t: t.wall)
    settle, ev = timings["settlement"], timings["evaluation"]
    print()
    print(f"bench_census  rows={args.rows:,}  providers={args.providers}  companies={args.companies:,}  "
          f"instruments={args.instruments:,}  load average {load:.1f} on {os.cpu_count()} cores")
    print(f"{'step':44} {'wall s':>8} {'CPU s (app + PostgreSQL)':>26}")
    print(f"{'data generation (not part of the target)':44} {gen_s:8.2f}")
    for label, t in timings.items():
        print(f"{label:44} {t.wall:8.3f} {t.cpu:26.3f}")
    print(f"census of a year, slowest grouping (target ≤ 5 s): {worst.wall:.2f} s wall, {worst.cpu:.2f} s CPU; "
          f"evaluation (target ≤ 5 s): {ev.wall:.2f} s wall, {ev.cpu:.2f} s CPU")
    print(f"census / settlement on the same data: {worst.wall / settle.wall:.2f}× wall, {worst.cpu / settle.cpu:.2f}× CPU; "
          f"evaluation / settlement: {ev.wall / settle.wall:.2f}× wall, {ev.cpu / settle.cpu:.2f}× CPU")
    print(f"{len(rows['city'])} cities, {len(rows['instrument']):,} instruments, {served:,} external organisations "
          f"served, {len(units)} units evaluated; checks (census = direct sums): {'OK' if ok else 'FAILED'} {checks}")
    report("census", [
        (f"census of a year, slowest grouping, {args.rows:,} usage records (s wall / CPU)",
         f"{worst.wall:.2f} / {worst.cpu:.2f}", "<= 5"),
        ("evaluation of every managing unit (s wall / CPU)", f"{ev.wall:.2f} / {ev.cpu:.2f}", "<= 5"),
        ("settlement on the same data (s wall / CPU)", f"{settle.wall:.2f} / {settle.cpu:.2f}", "reference"),
        ("census / settlement (wall)", round(worst.wall / settle.wall, 2), "ratio"),
        ("census = direct sums of the usage records", "OK" if ok else "FAILED", "OK"),
    ])
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
