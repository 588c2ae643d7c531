"""What every benchmark shares: reporting its headline figures to `make bench`'s summary table, and
reading the CPU that processes have used."""
import json
import os
from collections.abc import Callable

# A key the app's production checks accept (>= 32 bytes): the benchmarks start the app as a server does.
SECRET_KEY = "bench-only-secret-key-of-at-least-thirty-two-bytes"


def report(bench: str, rows: list[tuple[str, float | int | str, str]]) -> None:
    """Record (measure, value, target) rows; bench/run.py prints them as one table."""
    path = os.environ.get("BENCH_REPORT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        for measure, value, target in rows:
            f.write(json.dumps({"bench": bench, "measure": measure, "value": value, "target": target},
                               ensure_ascii=False) + "\n")


def ensure_database(url: str) -> str:
    """Create the PostgreSQL database named in `url` if it does not exist yet; return `url`."""
    import sqlalchemy as sa

    base, name = url.rsplit("/", 1)
    admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url


def cpu_by(name_of: Callable[[int, int, int], str | None]) -> dict[str, float] | None:
    """CPU seconds each live process has used so far, children it reaped included, summed under the
    name `name_of(ppid, pgid, uid)` gives it (None: not counted). None where there is no /proc."""
    if not os.path.isdir("/proc"):
        return None
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            uid = os.stat(f"/proc/{pid}").st_uid
        except OSError:  # ended in the meantime
            continue
        name = name_of(int(fields[1]), int(fields[2]), uid)
        if name:
            out[name] = out.get(name, 0.0) + sum(int(f) for f in fields[11:15]) / tick
    return out
