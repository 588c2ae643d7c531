"""Races with real threads against the real database: one helper for every concurrency test."""
import threading
import traceback

from marketplace.core.db import writing
from marketplace.extensions import db


def race(app, n: int, fn, *, timeout: float = 120) -> list:
    """Run fn(i) for i in range(n), each in a thread of its own with its own app context and session,
    released together by a barrier. Returns what each call returned, or the exception it raised
    (its traceback as `.tb`), in the order of i.

    The caller's transaction is committed first: the racers must see the test's data, and on SQLite a
    test holding a read snapshot would otherwise keep the writers waiting.
    """
    db.session.commit()
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        with app.app_context():
            try:
                barrier.wait(timeout)
                results[i] = fn(i)
            except Exception as err:  # noqa: BLE001 - handed back to the test, which asserts on it
                db.session.rollback()
                err.tb = traceback.format_exc()
                results[i] = err
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,), name=f"racer-{i}") for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), f"a racer still runs after {timeout} s"
    db.session.rollback()  # the test reads what the racers committed, not its old snapshot
    return results


def committed(fn):
    """fn(*args) as one writing unit of work (SQLite: BEGIN IMMEDIATE), committed when it returns."""
    def run(*args, **kwargs):
        with writing():
            out = fn(*args, **kwargs)
            db.session.commit()
            return out
    return run


def failures(results, *expected: type) -> list[str]:
    """The outcomes that are errors of none of the `expected` types, with their tracebacks: [] when the
    race went as it may."""
    return [getattr(r, "tb", repr(r)) for r in results
            if isinstance(r, BaseException) and not isinstance(r, expected)]
