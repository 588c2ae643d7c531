"""The census and the evaluation over many usage records, on PostgreSQL, beside the settlement.

    python bench/bench_census.py                      # 1,000,000 usage records
    python bench/bench_census.py --rows 20000         # quick
    python bench/bench_census.py --database postgresql+psycopg://postgres@127.0.0.1:5432/test_census

1. recreates the schema in the database (DROPS what is there) and generates the same data as
   bench_settlement.py (its generator: providers, companies, instruments and --rows completed-and-paid
   bookings in 2026Q4 with their subsidy records);
2. times, through the application's own code, on the same data:
   * the settlement of 2026Q4 (the reference: bench_settlement's headline figure);
   * the census of 2026 grouped by city, type, managing unit and instrument (each one call of
     `census()`: usage GROUP BY, inventory, available hours, ledger subsidies);
   * the evaluation of every managing unit for 2026;
3. checks the census against an independent SQL sum of the usage records, and prints one table.
   Targets: census ≤ 5 s, evaluation ≤ 5 s at 1,000,000 rows.
"""
import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_settlement import generate, load_subsidy_records
from bench.common import ensure_database, report

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_census"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--providers", type=int, default=600)
    ap.add_argument("--companies", type=int, default=20_000)
    ap.add_argument("--instruments", type=int, default=5_000)
    ap.add_argument("--database", default=DEFAULT_DB)
    args = ap.parse_args()

    import sqlalchemy as sa

    from marketplace import create_app
    from marketplace.census.services.census import census, orgs_served_total
    from marketplace.census.services.evaluation import evaluate
    from marketplace.extensions import db
    from marketplace.subsidy import services
    from marketplace.subsidy.settlement import settle_period

    ensure_database(args.database)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "AUTO_INDEX": False})
    timings = {}
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("this benchmark runs on PostgreSQL (--database postgresql+psycopg://…)")
        with db.engine.begin() as conn:
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
        db.drop_all()
        db.create_all()
        t0 = time.perf_counter()
        generate(db, sa, args.rows, args.providers, args.companies, args.instruments)
        prog = services.new_programme(None, name="2026 年度大型科学仪器共享双向补贴（基准）", year=2026,
                                      budget=450_000_000 * 100)
        load_subsidy_records(db, sa, prog)
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        gen_s = time.perf_counter() - t0

        prog = db.session.get(type(prog), prog.id)
        t = time.perf_counter()
        settle_period(prog, "2026Q4", None, system=True, now=datetime(2027, 1, 5))
        db.session.commit()
        timings["settlement"] = time.perf_counter() - t

        rows = {}
        for group_by in ("city", "type", "org", "instrument"):
            t = time.perf_counter()
            rows[group_by] = census(2026, group_by)
            timings[f"census {group_by}"] = time.perf_counter() - t
        t = time.perf_counter()
        served = orgs_served_total(2026)
        timings["census orgs served"] = time.perf_counter() - t
        t = time.perf_counter()
        units = evaluate(2026)
        timings["evaluation"] = time.perf_counter() - t

        # independent check: the usage records' hours and fees summed directly
        used_s, fees = db.session.execute(sa.text(
            "SELECT SUM(EXTRACT(EPOCH FROM actual_end - actual_start))::bigint, SUM(fee) FROM bookings "
            "WHERE status IN ('completed', 'settled')")).one()
        checks = {group_by: sum(r.used_seconds for r in rs) == int(used_s)
                  and sum(r.income_internal + r.income_external for r in rs) == int(fees)
                  for group_by, rs in rows.items()}
        ok = all(checks.values()) and len(units) == args.providers

    census_s = sum(v for k, v in timings.items() if k.startswith("census"))
    ratio = census_s / timings["settlement"]
    print()
    print(f"bench_census  rows={args.rows:,}  providers={args.providers}  companies={args.companies:,}  "
          f"instruments={args.instruments:,}")
    print(f"{'step':58} {'seconds':>9}")
    print(f"{'data generation (not part of the target)':58} {gen_s:9.2f}")
    for label, secs in timings.items():
        print(f"{label:58} {secs:9.3f}")
    print(f"{'census, all four groupings (target ≤ 5 s)':58} {census_s:9.3f}")
    print(f"census / settlement on the same data: {ratio:.2f}×; evaluation / settlement: "
          f"{timings['evaluation'] / timings['settlement']:.2f}×")
    print(f"{len(rows['city'])} cities, {len(rows['instrument']):,} instruments, {served:,} external organisations "
          f"served, {len(units)} units evaluated; checks (census = direct sums): {'OK' if ok else 'FAILED'} {checks}")
    report("census", [
        (f"census of a year, 4 groupings, {args.rows:,} usage records (s)", round(census_s, 2), "<= 5"),
        ("evaluation of every managing unit (s)", round(timings["evaluation"], 2), "<= 5"),
        ("settlement on the same data (s)", round(timings["settlement"], 2), "reference"),
        ("census / settlement", round(ratio, 2), "ratio"),
        ("census = direct sums of the usage records", "OK" if ok else "FAILED", "OK"),
    ])
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
