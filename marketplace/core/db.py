"""Database helpers: after-commit hooks and serialized writes on SQLite.

SQLite allows one writer at a time. A deferred transaction that read first and writes later can
fail with "database is locked" instead of waiting, so requests that write begin with
BEGIN IMMEDIATE: they queue for the write lock up front (busy_timeout), and a check followed by an
insert inside such a transaction cannot race. PostgreSQL relies on its own constraints and locks.
"""
import contextlib
import contextvars
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..extensions import db

MAX_ID = 2**31 - 1  # ids are 32-bit integer keys: a larger number names no row (and PostgreSQL refuses it)


def is_id(value) -> bool:
    """Whether `value` can name a row: a positive 32-bit int (not a bool, a string or a float)."""
    return type(value) is int and 0 < value <= MAX_ID


def find(model, ident, **options):
    """The `model` row with id `ident`, or None, also when `ident` cannot be an id (a form's "abc", a
    JSON true, 10**30): callers say "not found" once, whatever was asked."""
    return db.session.get(model, ident, **options) if is_id(ident) else None


def row_ids(values) -> list[int]:
    """The row ids among `values`, each once, in their order (anything else is dropped)."""
    return list(dict.fromkeys(v for v in values or () if is_id(v)))


_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


def set_write_intent(value: bool = True):
    """Mark the work in this context as a writer (applies to the next transaction begun)."""
    return _write_intent.set(value)


@contextlib.contextmanager
def writing():
    """Run a unit of work that writes: on SQLite its transaction begins IMMEDIATE."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


@contextlib.contextmanager
def reading():
    """Run work that only reads, even inside a writer's context (e.g. after its commit): on SQLite
    its transactions begin DEFERRED and never hold the write lock while they wait on something else."""
    token = _write_intent.set(False)
    try:
        yield
    finally:
        _write_intent.reset(token)


def is_sqlite(engine=None) -> bool:
    return (engine or db.engine).dialect.name == "sqlite"


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        # Let SQLAlchemy's "begin" event below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


# -- rows changed by a statement, not by the unit of work ---------------------------------------------

MOVED = "moved_rows"


def moved(session, obj):
    """Tell whoever follows the session's changes (the search feed) that `obj`'s row was changed by a
    statement of its own (a state machine's conditional UPDATE), which the flush does not see."""
    session.info.setdefault(MOVED, []).append(obj)


@event.listens_for(Session, "after_soft_rollback")
def _drop_moved(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop(MOVED, None)


# -- after-commit hooks ---------------------------------------------------------------------------

def after_commit(fn, *args, **kwargs):
    """Run fn(*args, **kwargs) once the current transaction commits; drop it on rollback."""
    on_commit(db.session(), fn, *args, **kwargs)


def on_commit(session, fn, *args, **kwargs):
    """after_commit for a given session (a listener's, which may not be the request's)."""
    session.info.setdefault("after_commit", []).append((fn, args, kwargs))


def on_commit_once(session, fn, *args):
    """on_commit(session, fn, *args) unless fn is already queued for this transaction. Returns the
    args of the queued call, so a callback that serves several changes can gather them in one of its
    (mutable) arguments."""
    for queued, queued_args, _kwargs in session.info.get("after_commit", ()):
        if queued is fn:
            return queued_args
    on_commit(session, fn, *args)
    return args


@event.listens_for(Session, "after_commit")
def _committed(session):
    # Kept until the transaction has ended and handed its connection back to the pool: a callback
    # that opens a session of its own (an in-process job) must not need a second connection while
    # this one is held, or a pool of one connection per thread deadlocks under load.
    queued = session.info.pop("after_commit", None)
    if queued:
        session.info.setdefault("committed", []).extend(queued)


@event.listens_for(Session, "after_transaction_end")
def _run_after_commit(session, transaction):
    if transaction.parent is None:
        for fn, args, kwargs in session.info.pop("committed", ()):
            fn(*args, **kwargs)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session, previous_transaction):
    if previous_transaction.parent is None:  # the outermost transaction rolled back
        session.info.pop("after_commit", None)
