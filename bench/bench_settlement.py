"""Subsidy settlement and statements over many usage records, on PostgreSQL.

    python bench/bench_settlement.py                     # 1,000,000 usage records
    python bench/bench_settlement.py --rows 20000        # quick
    python bench/bench_settlement.py --database postgresql+psycopg://postgres@127.0.0.1:5432/test_subsidy

1. recreates the schema in the database (DROPS what is there) and generates, with set-based SQL
   (generate_series), provider labs, companies (sme / high-tech / out-of-province mixes, some
   related parties), users, instruments, and --rows completed-and-paid bookings (the usage
   records) in the fourth quarter of 2026 with their subsidy records (fees, user subsidies,
   external flags) and one aggregate ledger entry for the committed user subsidy;
2. times, through the application's own code:
   * `settle_period` for 2026Q4 — one GROUP BY over the usage records, grade factors, per-unit
     yearly caps, pro-rating, settlement lines and the ledger entry;
   * the same settlement run again (idempotent: must change nothing);
   * statements: the per-organisation totals of every organisation (set-based), and the full
     statement of the busiest provider as CSV and XLSX;
3. checks the settlement against an independent SQL recomputation and the ledger's balance,
   and prints one table. Target: settlement and statements ≤ 10 s at 1,000,000 rows.
"""
import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import SECRET_KEY, ensure_database, report  # noqa: E402

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_settlement"
CITIES = "ARRAY['南京','无锡','徐州','常州','苏州','南通','连云港','淮安','盐城','扬州','镇江','泰州','宿迁']"


def generate(db, sa, rows: int, providers: int, companies: int, instruments: int):
    """Bulk data with generate_series; deterministic (hash-like modular arithmetic, no random())."""
    ex = lambda sql, **p: db.session.execute(sa.text(sql), p)  # noqa: E731
    # providers: universities / institutes 1..P; companies P+1..P+C (every 50th a subsidiary of a lab)
    ex(f"""INSERT INTO organisations (id, name, kind, city, sme, high_tech, in_province, parent_id, created_at)
        SELECT g, '高校实验室' || g, CASE WHEN g % 3 = 0 THEN 'research_institute' ELSE 'university' END,
               ({CITIES})[1 + g % 13], false, false, true, NULL, now()
          FROM generate_series(1, :p) g""", p=providers)
    ex(f"""INSERT INTO organisations (id, name, kind, city, sme, high_tech, in_province, parent_id, created_at)
        SELECT :p + g, '科技企业' || g, 'enterprise', ({CITIES})[1 + (g * 7) % 13],
               g % 2 = 0, g % 6 = 0, g % 17 <> 0, CASE WHEN g % 50 = 0 THEN 1 + g % :p END, now()
          FROM generate_series(1, :c) g""", p=providers, c=companies)
    ex("SELECT setval(pg_get_serial_sequence('organisations', 'id'), :n)", n=providers + companies)
    ex("""INSERT INTO users (id, email, name, password_hash, active, organisation_id, org_admin, created_at)
        SELECT g, 'bench' || g || '@bench.cn', '用户' || g, 'x', true, g, true, now()
          FROM generate_series(1, :n) g""", n=providers + companies)
    ex("SELECT setval(pg_get_serial_sequence('users', 'id'), :n)", n=providers + companies)
    ex(f"""INSERT INTO resources (id, type, title, summary, description, owner_org_id, city, tags, discipline,
               contact_name, contact_phone, contact_email, status, created_at, updated_at, published_at)
        SELECT g, 'instrument', '仪器' || g, '', '', 1 + g % :p, ({CITIES})[1 + (1 + g % :p) % 13], '', '',
               '', '', '', 'published', now(), now(), now()
          FROM generate_series(1, :i) g""", p=providers, i=instruments)
    ex("""INSERT INTO res_instrument (id, model, manufacturer, country, original_value, category_l1, category_l2,
               category_l3, service_mode, price_unit, internal_price, external_price, bookable)
        SELECT g, 'M' || g, '厂商', '中国', 20000000 + (g % 40) * 2500000, '分析仪器', '色谱仪器', '液相色谱仪',
               'staff_operated', 'hour', 20000, 30000 + (g % 10) * 5000, true
          FROM generate_series(1, :i) g""", i=instruments)
    ex("SELECT setval(pg_get_serial_sequence('resources', 'id'), :n)", n=instruments)
    # usage records: completed and paid bookings spread over 2026Q4 (local), 1–4 hours each
    ex("""INSERT INTO bookings (id, instrument_id, user_id, org_id, provider_org_id, start, "end", purpose, status,
               price_unit, unit_price, internal, service_mode, fee, user_subsidy, actual_start, actual_end,
               completed_at, settled_at, payment_ref, created_at, updated_at)
        SELECT g, i.id, u.org, u.org, r.owner_org_id, s.st, s.st + s.len, '测试', 'settled', 'hour',
               ri.external_price, false, 'staff_operated', ri.external_price * (s.len_h), 0, s.st, s.st + s.len,
               s.st + s.len, s.st + s.len, 'pi_bench_' || g, s.st, s.st
          FROM generate_series(1::bigint, :n) g
          CROSS JOIN LATERAL (SELECT (1 + (g * 7919) % :i)::int AS id) i
          CROSS JOIN LATERAL (SELECT (:p + 1 + (g * 104729) % :c)::int AS org) u
          JOIN resources r ON r.id = i.id JOIN res_instrument ri ON ri.id = i.id
          CROSS JOIN LATERAL (SELECT timestamp '2026-09-30 17:00' + ((g * 9973) % 131040) * interval '1 minute' AS st,
                                     1 + g % 4 AS len_h, (1 + g % 4) * interval '1 hour' AS len) s""",
       n=rows, i=instruments, p=providers, c=companies)
    ex("SELECT setval(pg_get_serial_sequence('bookings', 'id'), :n)", n=rows)


def load_subsidy_records(db, sa, prog):
    """The subsidy record of every usage record, computed in SQL from the programme's rules."""
    db.session.execute(sa.text("""
        INSERT INTO subsidy_reservations (booking_id, programme_id, user_org_id, provider_org_id, fee, rate_bp,
               rule_amount, reserved, committed, user_eligible, provider_eligible, status, committed_at,
               created_at, updated_at)
        SELECT b.id, :prog, b.org_id, b.provider_org_id, b.fee, x.rate, x.amount, 0,
               CASE WHEN x.eligible THEN x.amount ELSE 0 END, x.eligible, x.external, 'committed', b.settled_at,
               b.created_at, b.settled_at
          FROM bookings b
          JOIN organisations o ON o.id = b.org_id
          JOIN organisations po ON po.id = b.provider_org_id
          JOIN res_instrument ri ON ri.id = b.instrument_id
          CROSS JOIN LATERAL (SELECT
               CASE WHEN o.sme AND o.high_tech THEN :r3 WHEN o.sme THEN :r2 ELSE :r1 END AS rate,
               COALESCE(o.parent_id, o.id) <> COALESCE(po.parent_id, po.id) AS external) y
          CROSS JOIN LATERAL (SELECT y.rate, y.external,
               LEAST((b.fee * y.rate + 5000) / 10000, :cap) AS amount,
               (o.kind = 'enterprise' AND o.in_province AND y.external AND ri.original_value >= :minv) AS eligible) x
    """), {"prog": prog.id, "r1": prog.rate_default_bp, "r2": prog.rate_sme_bp, "r3": prog.rate_sme_high_tech_bp,
           "cap": prog.booking_cap, "minv": prog.min_original_value})
    db.session.execute(sa.text("""UPDATE bookings b SET user_subsidy = r.committed
                                    FROM subsidy_reservations r WHERE r.booking_id = b.id AND r.committed > 0"""))
    total = db.session.scalar(sa.text("SELECT COALESCE(SUM(committed), 0) FROM subsidy_reservations"))
    db.session.execute(sa.text("UPDATE subsidy_programmes SET committed = :t WHERE id = :p"), {"t": total, "p": prog.id})
    from marketplace import ledger
    ledger.post_entry("subsidy_commitment", [ledger.Dr("budget", int(total)), ledger.Cr("user_subsidy_payable", int(total))],
                programme_id=prog.id, memo="bench: committed user subsidies of the generated usage records")
    return int(total)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--providers", type=int, default=600)
    ap.add_argument("--companies", type=int, default=20_000)
    ap.add_argument("--instruments", type=int, default=5_000)
    ap.add_argument("--budget-yuan", type=int, default=450_000_000,
                    help="programme budget in yuan (small values force pro-rating)")
    ap.add_argument("--database", default=DEFAULT_DB)
    args = ap.parse_args()

    import sqlalchemy as sa

    from marketplace import create_app, ledger
    from marketplace.extensions import db
    from marketplace.subsidy import services
    from marketplace.subsidy.models import ProviderGrade, SettlementLine
    from marketplace.subsidy.services.settlement import period_bounds, settle_period
    from marketplace.subsidy.services.statements import statement_csv, statement_rows, statement_totals, statement_xlsx

    ensure_database(args.database)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "AUTO_INDEX": False, "SECRET_KEY": SECRET_KEY})
    timings = []
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("this benchmark runs on PostgreSQL (--database postgresql+psycopg://…)")
        with db.engine.begin() as conn:
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
        db.drop_all()
        db.create_all()

        t0 = time.perf_counter()
        generate(db, sa, args.rows, args.providers, args.companies, args.instruments)
        prog = services.new_programme(name="2026 年度大型科学仪器共享双向补贴（基准）", year=2026,
                                      budget=args.budget_yuan * 100, actor=None)
        db.session.execute(sa.text(
            "INSERT INTO subsidy_provider_grades (programme_id, org_id, grade, updated_at) "
            "SELECT :p, g, (ARRAY['A','B','B','C','D'])[1 + g % 5], now() FROM generate_series(1, :n) g"),
            {"p": prog.id, "n": args.providers})
        user_total = load_subsidy_records(db, sa, prog)
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        gen_s = time.perf_counter() - t0

        prog = db.session.get(type(prog), prog.id)
        after_year = datetime(2027, 1, 5)
        t = time.perf_counter()
        settlement, created = settle_period(prog, "2026Q4", system=True, now=after_year, actor=None)
        db.session.commit()
        timings.append(("settlement 2026Q4 (GROUP BY, grades, caps, pro-rate, ledger)", time.perf_counter() - t))
        assert created
        sid, awarded, computed, n_lines = settlement.id, settlement.awarded, settlement.computed, len(settlement.lines)

        t = time.perf_counter()
        again, created_again = settle_period(prog, "2026Q4", system=True, now=after_year, actor=None)
        db.session.commit()
        timings.append(("settlement again (idempotent, nothing changes)", time.perf_counter() - t))
        assert not created_again and again.id == sid

        _name, start, end = period_bounds(prog, "2026Q4")
        t = time.perf_counter()
        totals = statement_totals(None, start, end)
        timings.append((f"statement totals of every organisation ({len(totals)} rows)", time.perf_counter() - t))

        busiest = db.session.scalar(sa.select(SettlementLine.org_id).where(SettlementLine.settlement_id == sid)
                                    .order_by(SettlementLine.income.desc()).limit(1))
        t = time.perf_counter()
        rows = statement_rows(busiest, start, end)
        csv_bytes = statement_csv(rows)
        timings.append((f"statement of the busiest provider, CSV ({len(rows)} lines)", time.perf_counter() - t))
        t = time.perf_counter()
        xlsx_bytes = statement_xlsx(rows, "2026Q4")
        timings.append(("  … the same statement as XLSX", time.perf_counter() - t))

        # independent recomputation in SQL of what settlement must have awarded before pro-rating
        expected = db.session.execute(sa.text("""
            SELECT COALESCE(SUM(LEAST(FLOOR(
                     (inc * :rate * (CASE g.grade WHEN 'A' THEN :a WHEN 'B' THEN :b WHEN 'C' THEN :c ELSE :d END)
                      + 50000000) / 100000000.0), :cap)), 0)
              FROM (SELECT r.provider_org_id AS org, SUM(r.fee) AS inc FROM subsidy_reservations r
                     WHERE r.provider_eligible GROUP BY r.provider_org_id) s
              LEFT JOIN subsidy_provider_grades g ON g.org_id = s.org AND g.programme_id = :p"""),
            {"rate": prog.provider_rate_bp, "a": prog.grade_a_bp, "b": prog.grade_b_bp, "c": prog.grade_c_bp,
             "d": prog.grade_d_bp, "cap": prog.provider_unit_cap, "p": prog.id}).scalar()
        db.session.refresh(prog)
        tb = ledger.trial_balance()
        checks = {"recomputation": int(expected) == computed,
                  "ledger balanced": tb["total_debits"] == tb["total_credits"],
                  "budget identity": prog.reserved + prog.committed + prog.remaining == prog.budget
                  and prog.remaining >= 0}
        ok = all(checks.values())
        if not ok:
            print("expected", expected, "computed", computed, tb, checks)
        n_grades = db.session.scalar(sa.select(sa.func.count()).select_from(ProviderGrade))

    core = sum(s for _label, s in timings)
    print()
    print(f"bench_settlement  rows={args.rows:,}  providers={args.providers} (graded {n_grades})  "
          f"companies={args.companies:,}  instruments={args.instruments:,}")
    print(f"{'step':64} {'seconds':>9}")
    print(f"{'data generation (generate_series, not part of the target)':64} {gen_s:9.2f}")
    for label, secs in timings:
        print(f"{label:64} {secs:9.3f}")
    print(f"{'all of the above (target ≤ 10 s)':64} {core:9.3f}")
    print(f"user subsidy committed ¥{user_total / 100:,.2f}; provider subsidy computed ¥{computed / 100:,.2f}, "
          f"awarded ¥{awarded / 100:,.2f} to {n_lines} providers{' (pro-rated)' if awarded < computed else ''}; "
          f"CSV {len(csv_bytes):,} B, XLSX {len(xlsx_bytes):,} B")
    print(f"checks: independent SQL recomputation = settlement, ledger balanced, budget identity: "
          f"{'OK' if ok else 'FAILED'}")
    report("settlement", [
        (f"settlement + statements over {args.rows:,} usage records (s)", round(core, 2), "<= 10"),
        ("independent recomputation, balance, budget identity", "OK" if ok else "FAILED", "OK"),
    ])
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
