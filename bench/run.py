"""Run every benchmark in bench/ and print their headline figures as one table.

Each benchmark prints its own detailed table as it goes; this summary collects what each one
reported through bench.common.report. BENCH_QUICK=1 runs the search and booking benchmarks only, in
their quick sizes (see QUICK). Extra arguments are not passed: run a benchmark directly
(`python bench/bench_search.py --n 5000`) to change its size.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ["bench_search.py", "bench_booking.py", "bench_settlement.py", "bench_census.py", "bench_trading.py"]
# BENCH_QUICK=1 (`make bench-quick`, a few minutes): the two benchmarks of issue 32's ratios only, smaller —
# search on 10,000 resources, bookings in three 10 s runs against one server (medians).
QUICK = ["bench_search.py", "bench_booking.py"]


def main() -> int:
    report = Path(tempfile.mkstemp(prefix="bench-", suffix=".jsonl")[1])
    env = dict(os.environ, BENCH_REPORT=str(report), PYTHONPATH=str(HERE.parent))
    failed = []
    for name in QUICK if os.environ.get("BENCH_QUICK") else BENCHES:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / name)], env=env, cwd=HERE.parent)
        print(f"({name} took {time.perf_counter() - started:.0f} s, exit {code})", flush=True)
        if code:
            failed.append(name)
    rows = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines() if line.strip()]
    report.unlink()
    print("\n| benchmark | measure | value | target |\n|---|---|---|---|")
    for r in rows:
        value = f"{r['value']:,.2f}" if isinstance(r["value"], float) else f"{r['value']:,}" \
            if isinstance(r["value"], int) else r["value"]
        print(f"| {r['bench']} | {r['measure']} | {value} | {r['target']} |")
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
