"""What every benchmark shares: reporting its headline figures to `make bench`'s summary table."""
import json
import os


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
