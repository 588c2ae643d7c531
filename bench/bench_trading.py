"""Trading benchmark: suggested achievements for a demand (more-like-this over the index, field and
city ranked up) at 100,000 resources + 20,000 demands, next to a plain search on the same corpus.

    python bench/bench_trading.py                    # 100,000 resources + 20,000 demands (several minutes)
    python bench/bench_trading.py --n 5000 --demands 2000   # quick

The corpus is bench_search's (the demo generator, loaded in bulk into a temporary SQLite database)
plus demands from trading/demo.py. Latency is per call over 50 published demands: one cold pass,
then --rounds warm passes (p50/p95 over the warm passes); the plain search runs bench_search's 50
queries on the same index. The ratio is suggestions p95 / search p95.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_search import build_index, in_process, load_corpus, percentile  # noqa: E402
from bench.common import SECRET_KEY  # noqa: E402


def load_demands(app, n, seed):
    import sqlalchemy as sa

    from marketplace.accounts.models import Organisation
    from marketplace.extensions import db
    from marketplace.trading.demo import seed_demands
    with app.app_context():
        started = time.perf_counter()
        companies = [{"id": i, "name": name, "city": city} for i, name, city in db.session.execute(
            sa.select(Organisation.id, Organisation.name, Organisation.city).where(Organisation.kind == "enterprise"))]
        seed_demands(random.Random(seed), companies, n=n)
        db.session.commit()
        return time.perf_counter() - started


def suggestions(app, rounds, sample=50):
    import sqlalchemy as sa

    from marketplace.extensions import db
    from marketplace.trading.models import Demand
    from marketplace.trading.services.matching import suggested_for_demand
    with app.test_request_context("/"):
        demands = db.session.scalars(sa.select(Demand).where(Demand.status == "published")
                                     .order_by(Demand.id).limit(sample)).all()
        cold, warm, empty = [], [], 0
        app.extensions["search"].reset()
        for d in demands:
            t = time.perf_counter()
            found = suggested_for_demand(d)
            cold.append((time.perf_counter() - t) * 1000)
            empty += not found
        for _ in range(rounds):
            for d in demands:
                t = time.perf_counter()
                suggested_for_demand(d)
                warm.append((time.perf_counter() - t) * 1000)
    return cold, warm, empty, len(demands)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="resources (default 100,000)")
    ap.add_argument("--demands", type=int, default=20_000, help="demands (default 20,000)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--keep", help="keep the database and index in this directory")
    args = ap.parse_args(argv)

    workdir = args.keep or tempfile.mkdtemp(prefix="bench-trading-")
    os.makedirs(workdir, exist_ok=True)
    os.environ.setdefault("SEARCH_SYNC_REBUILD_LIMIT", "0")
    import logging
    logging.disable(logging.WARNING)
    from marketplace import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{os.path.join(workdir, 'bench.db')}",
                      "SEARCH_INDEX_DIR": os.path.join(workdir, "index"), "AUTO_INDEX": False, "SECRET_KEY": SECRET_KEY})
    headline, rows = [], []
    try:
        print(f"corpus: {args.n:,} resources + {args.demands:,} demands in {workdir}", file=sys.stderr)
        load_s = load_corpus(app, args.n, args.seed)
        dem_s = load_demands(app, args.demands, args.seed)
        print(f"  loaded in {load_s:.1f}s + {dem_s:.1f}s; building the index…", file=sys.stderr)
        count, build_s = build_index(app, app.config["SEARCH_REBUILD_PROCS"])
        rows.append(("index build", f"{count:,} docs in {build_s:.1f}s", ""))
        print("  suggestions for demands…", file=sys.stderr)
        cold, warm, empty, sample = suggestions(app, args.rounds)
        s50, s95 = percentile(warm, 50), percentile(warm, 95)
        print("  plain search…", file=sys.stderr)
        _qcold, qwarm, _totals = in_process(app, args.rounds)
        q50, q95 = percentile(qwarm, 50), percentile(qwarm, 95)
        ratio = s95 / q95 if q95 else float("nan")
        rows += [("suggestions for a demand", f"p50 {s50:.1f} ms, p95 {s95:.1f} ms (cold p95 {percentile(cold, 95):.1f})",
                  f"{'ok' if s95 <= 100 else 'MISS'} (p95 ≤ 100 ms); {sample - empty}/{sample} demands with suggestions"),
                 ("plain search (50 queries)", f"p50 {q50:.1f} ms, p95 {q95:.1f} ms", "reference"),
                 ("suggestions / search, p95", f"×{ratio:.2f}", "")]
        size = f"{args.n:,} resources + {args.demands:,} demands"
        headline += [(f"suggestions p50, ms ({size})", round(s50, 1), ""),
                     (f"suggestions p95, ms ({size})", round(s95, 1), "≤ 100"),
                     (f"plain search p95, ms ({size})", round(q95, 1), "reference"),
                     (f"suggestions / search p95 ({size})", round(ratio, 2), "ratio")]
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        print(f"\ntrading benchmark, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        for r in rows:
            print("  ".join(str(c) for c in r))
        try:
            from bench.common import report
        except ImportError:
            report = None
        if report is not None:
            report("trading", headline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
