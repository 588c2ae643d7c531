"""The workbench (工作台): what waits for a signed-in user, gathered from every domain's queues.

In a domain's `init_app(app)`, a domain registers each of its queues with its own queries, so the
workbench never imports a domain:

    from ..core import workbench
    workbench.add_queue("listing", _l("待审核资源"), "catalog.review", who=nav.has_role("reviewer"),
                        count=lambda user: ..., items=lambda user, limit: [workbench.Item(...), ...])

`count(user)` is how many items wait; `items(user, limit)` the `limit` oldest (or soonest due) as
`Item`s. An item without its own deadline (`due`) gets one from `WORKBENCH_SLA_DAYS[kind]` working
its way from `since`; past it, the item is flagged overdue. Each queue's count is also the badge of
its menu link.
"""
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from flask import current_app, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from . import nav
from .timeutil import to_local, utcnow

DEFAULT_SLA_DAYS = 5


@dataclass(frozen=True)
class Item:
    """One thing that waits: `since` naive UTC; `due` a local date (the deadline) or None."""
    kind: str
    id: int
    title: str
    since: datetime | None
    url: str
    due: date | None = None
    note: str = ""  # a short line under the title: who, how much, which state

    def age_days(self, now: datetime) -> int | None:
        return None if self.since is None else max(0, (now - self.since).days)

    def overdue(self, today: date) -> bool:
        return self.due is not None and self.due < today


@dataclass(frozen=True)
class Queue:
    kind: str
    label: object
    endpoint: str  # the page with the whole queue
    who: Callable
    count: Callable
    items: Callable
    priority: int = 50
    show_empty: bool = True  # False: an occasional queue (returned for correction) shown only when not empty


@dataclass(frozen=True)
class Shown:
    """A queue as one user sees it on the workbench."""
    queue: Queue
    count: int
    items: list = field(default_factory=list)
    overdue: int = 0


QUEUES: list[Queue] = []


def add_queue(kind: str, label, endpoint: str, *, who: Callable, count: Callable, items: Callable,
              priority: int = 50, badge: bool = True, show_empty: bool = True):
    """Register a queue; with `badge`, its count also shows beside the menu link to `endpoint`."""
    if any(q.kind == kind for q in QUEUES):
        return
    QUEUES.append(Queue(kind, label, endpoint, who, count, items, priority, show_empty))
    if badge:
        nav.set_badge(endpoint, lambda user, _kind=kind, _who=who: count_for(_kind, user) if _who(user) else None)


def count_for(kind: str, user) -> int:
    """A queue's count for `user`, computed once a request (the menu badge and the page share it) and
    kept by this process for WORKBENCH_COUNT_SECONDS (see _Counts)."""
    queue = next(q for q in QUEUES if q.kind == kind)
    compute = lambda: _counts.get(queue, user)  # noqa: E731
    return nav.remember(f"queue_{kind}", user, compute) if has_request_context() else compute()


class _Counts:
    """The menu badges' counts, kept per process for WORKBENCH_COUNT_SECONDS (default 10; 0: off).

    Every staff page shows a badge per visible queue, one COUNT each. A count is kept for a few
    seconds and the whole store is dropped when a transaction of this process commits any write (a
    flush, or an INSERT/UPDATE/DELETE statement such as a state machine's move): a queue this process
    moved shows at once; one moved by another process (the job worker, the other web worker) shows
    once the TTL has passed."""

    def __init__(self):
        self.store: dict = {}
        self.generation = 0
        self.lock = threading.Lock()

    def get(self, queue: Queue, user) -> int:
        from ..extensions import db
        seconds = float(current_app.config.get("WORKBENCH_COUNT_SECONDS", 10))
        if seconds <= 0:
            return int(queue.count(user) or 0)
        key = (str(db.engine.url), queue.kind, getattr(user, "id", None))
        hit = self.store.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        generation = self.generation
        value = int(queue.count(user) or 0)
        with self.lock:
            if generation == self.generation:  # no write committed meanwhile
                self.store[key] = (time.monotonic() + seconds, value)
        return value

    def clear(self):
        with self.lock:
            self.generation += 1
            self.store.clear()


_counts = _Counts()


@event.listens_for(Session, "after_flush")
def _flushed(session, _context):
    if session.new or session.dirty or session.deleted:
        session.info["workbench_stale"] = True


@event.listens_for(Session, "do_orm_execute")
def _statement(state):
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["workbench_stale"] = True


@event.listens_for(Session, "after_commit")
def _committed(session):
    if session.info.pop("workbench_stale", False):
        _counts.clear()


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop("workbench_stale", None)


def total_for(user, endpoints) -> int:
    """Everything that waits for `user`: the workbench's menu badge."""
    return sum(count_for(q.kind, user) for q in QUEUES if q.endpoint in endpoints and q.who(user))


def sla_days(kind: str) -> int:
    return int(current_app.config.get("WORKBENCH_SLA_DAYS", {}).get(kind, DEFAULT_SLA_DAYS))


def with_deadline(item: Item) -> Item:
    """The item with a deadline: its own, or `since` + the kind's SLA in days (in Beijing time)."""
    if item.due is not None or item.since is None:
        return item
    return replace(item, due=to_local(item.since).date() + timedelta(days=sla_days(item.kind)))


def queues_for(user, endpoints, *, limit: int = 5) -> list[Shown]:
    """The queues `user` works on (empty ones too, so a role sees its whole job), fullest-first by
    priority; each with its `limit` oldest items and how many of those are overdue."""
    today = to_local(utcnow()).date()
    out = []
    for queue in sorted(QUEUES, key=lambda q: q.priority):
        if queue.endpoint not in endpoints or not queue.who(user):
            continue
        count = count_for(queue.kind, user)
        if not count and not queue.show_empty:
            continue
        items = [with_deadline(i) for i in queue.items(user, limit)] if count and limit else []
        out.append(Shown(queue, count, items, sum(1 for i in items if i.overdue(today))))
    return out


def all_items(user, endpoints, *, limit: int = 50) -> tuple[list[Item], dict[str, int]]:
    """Every queue's items for the API: oldest first across queues, and the count of each kind."""
    shown = queues_for(user, endpoints, limit=limit)
    items = [i for s in shown for i in s.items]
    items.sort(key=lambda i: (i.since or datetime.max, i.kind, i.id))
    return items, {s.queue.kind: s.count for s in shown}


def day_start(day: date | None) -> datetime | None:
    """The naive-UTC start of a Beijing day (for queues that record only the day something began)."""
    if day is None:
        return None
    from .timeutil import LOCAL_TZ, to_utc_naive
    return to_utc_naive(datetime.combine(day, datetime.min.time(), tzinfo=LOCAL_TZ))


def count_rows(stmt) -> int:
    """How many rows a select would answer (a queue's count)."""
    import sqlalchemy as sa

    from ..extensions import db
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0)


def init_app(app, bp):
    """The /workbench page: the landing page after login."""
    from flask import render_template
    from flask_login import current_user, login_required

    @bp.route("/workbench")
    @login_required
    def workbench():
        """Every queue of the signed-in user: its count, its oldest items with age and deadline, and
        a link to the whole queue (each domain's page, paginated)."""
        shown = queues_for(current_user, app.view_functions, limit=5)
        now = utcnow()
        return render_template("core/workbench.html", shown=shown, now=now, today=to_local(now).date(),
                               total=sum(s.count for s in shown),
                               overdue=sum(s.overdue for s in shown))
