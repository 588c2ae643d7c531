"""The durable index feed: a transactional outbox read by each host's indexer.

Writing. Every commit that changes something searchable also inserts rows into `search_changes`
(doc_type, doc_id, op) in the same transaction (hooks.py: ids collected after each flush, rows
inserted in `before_commit`, after the last flush). A rolled-back transaction leaves no rows; a
committed one always leaves them, whatever happens to the process afterwards.

Reading. Each index directory keeps its own position in `SEARCH_INDEX_DIR/feed_position` (JSON,
replaced atomically after the Whoosh commit, under the index's write lock, so position and index
agree; a crash between the two only means the last rows are applied again, which is harmless:
applying a row reloads the document from the database). Hosts with their own index directories on
one database each follow the feed and converge.

Ordering and gaps. Ids come from a sequence and are handed out at insert, so on PostgreSQL a row
with a smaller id can commit after one with a larger id (and a rolled-back insert leaves a hole
forever). The reader therefore keeps `position` = the highest id up to which every row has been
applied (or given up on), plus the set of ids above it already applied. Each pass reads every row
with id > position, applies the ones not yet applied, and moves the position over consecutive
applied ids. A hole stops the position but not the indexing: rows after it are applied at once.
A hole still empty after SEARCH_FEED_GAP_SECONDS (default 60) is taken as a rolled-back insert and
skipped. Because rows are inserted in `before_commit`, an id is only held for the moment of the
commit itself, so a minute is a wide margin even on a busy machine. (The alternative, ordering by
transaction id below `pg_snapshot_xmin`, is exact but stalls every indexer behind any long
transaction in the cluster, and does not exist on SQLite.)

Rebuild. `search rebuild` reads the database and sets the position to the feed's head minus the
last SEARCH_FEED_GAP_SECONDS of rows (they are applied again afterwards: a change committed while
the rebuild read the database is never lost).

Pruning. Indexers report their position to `search_feed_readers` every
SEARCH_FEED_REPORT_SECONDS; `prune()` deletes rows every reader seen in the last
SEARCH_FEED_RETENTION_DAYS has passed, and rows older than that whatever; it records the highest
pruned id ("~pruned"): an indexer whose position is behind it has missed changes and rebuilds.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.timeutil import utcnow
from .models import SearchChange, SearchFeedReader

log = logging.getLogger("marketplace.search")
STATE_FILE = "feed_position"
PRUNED = "~pruned"


@dataclass
class FeedState:
    """How far one index directory has applied the feed."""

    position: int = 0
    applied: set[int] = field(default_factory=set)   # ids > position already applied
    gaps: dict[int, float] = field(default_factory=dict)  # first missing id of a hole -> first seen (epoch)
    known: bool = True  # False: no state file (an index older than the feed, or just created)

    @classmethod
    def load(cls, index_dir: str) -> FeedState:
        try:
            with open(os.path.join(index_dir, STATE_FILE), encoding="utf-8") as f:
                raw = json.load(f)
            return cls(position=int(raw["position"]), applied={int(i) for i in raw.get("applied", ())},
                       gaps={int(k): float(v) for k, v in raw.get("gaps", {}).items()})
        except FileNotFoundError:
            return cls(known=False)
        except (ValueError, KeyError, TypeError, OSError) as err:
            log.warning("search feed position in %s is unreadable (%s); starting over", index_dir, err)
            return cls(known=False)

    def save(self, index_dir: str) -> None:
        """Write atomically: a reader sees the old or the new position, never half a file."""
        data = json.dumps({"position": self.position, "applied": sorted(self.applied),
                           "gaps": {str(k): v for k, v in self.gaps.items()}})
        fd, tmp = tempfile.mkstemp(prefix=".feed_position.", dir=index_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, os.path.join(index_dir, STATE_FILE))
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        self.known = True

    def pending(self, ids: list[int]) -> list[int]:
        """Of the ids read past the position, those not applied yet."""
        return [i for i in ids if i > self.position and i not in self.applied]

    def advance(self, ids: list[int], now: float, gap_seconds: float) -> None:
        """Mark `ids` applied and move the position over every applied id and every expired hole."""
        self.applied.update(i for i in ids if i > self.position)
        while self.applied:
            nxt = self.position + 1
            if nxt in self.applied:
                self.applied.discard(nxt)
                self.gaps.pop(nxt, None)
                self.position = nxt
                continue
            # a hole: nxt .. (the smallest applied id) - 1
            since = self.gaps.setdefault(nxt, now)
            if now - since < gap_seconds:
                break
            above = min(self.applied)
            log.warning("search feed: ids %d-%d never committed within %.0fs; skipped", nxt, above - 1, gap_seconds)
            self.gaps.pop(nxt, None)
            self.position = above - 1
        # holes the position has passed are forgotten
        self.gaps = {k: v for k, v in self.gaps.items() if k > self.position}

    def holes(self) -> list[tuple[int, int]]:
        """Ranges of ids between the position and the highest applied id not applied yet."""
        out, prev = [], self.position
        for i in sorted(self.applied):
            if i > prev + 1:
                out.append((prev + 1, i - 1))
            prev = i
        return out

    def expired_gap(self, now: float, gap_seconds: float) -> bool:
        return any(now - since >= gap_seconds for since in self.gaps.values())


# -- reading the feed ------------------------------------------------------------------------------

def rows_after(session: Session, state: FeedState, limit: int) -> list[tuple[int, str, int, str]]:
    """Rows past the position that may still need applying: those above every applied id, and
    those inside the holes below it (late commits), in id order."""
    top = max(state.applied) if state.applied else state.position
    cond = SearchChange.id > top
    holes = state.holes()[:200]
    if holes:
        cond = sa.or_(cond, *(SearchChange.id.between(lo, hi) for lo, hi in holes))
    return session.execute(
        sa.select(SearchChange.id, SearchChange.doc_type, SearchChange.doc_id, SearchChange.op)
        .where(cond).order_by(SearchChange.id).limit(limit)).all()


def head(session: Session) -> int:
    return session.scalar(sa.select(sa.func.max(SearchChange.id))) or 0


def pruned_mark(session: Session) -> int:
    return session.scalar(sa.select(SearchFeedReader.position).where(SearchFeedReader.name == PRUNED)) or 0


def start_position(session: Session, margin_seconds: float) -> int:
    """Where an index read from the database now starts following the feed: every row older than
    `margin_seconds` is in what was read; younger rows are applied again (ids may commit late)."""
    cutoff = utcnow() - timedelta(seconds=margin_seconds)
    old = session.scalar(sa.select(sa.func.max(SearchChange.id)).where(SearchChange.created_at < cutoff))
    if old is None:
        first = session.scalar(sa.select(sa.func.min(SearchChange.id)))
        old = first - 1 if first is not None else 0
    return max(old, pruned_mark(session))


def changes_of(rows) -> dict:
    """Feed rows as SearchIndex.apply's changes: {kind: ids} and {(kind, table): ids}."""
    out: dict = {}
    for _id, doc_type, doc_id, _op in rows:
        name, _, table = doc_type.partition(".")
        out.setdefault((name, table) if table else name, set()).add(doc_id)
    return out


# -- readers and pruning ---------------------------------------------------------------------------

def reader_name(app) -> str:
    return app.config.get("SEARCH_FEED_READER") or f"{socket.gethostname()}:{os.path.abspath(app.config['SEARCH_INDEX_DIR'])}"[:200]


def report_position(session: Session, name: str, position: int) -> None:
    """Record a reader's position (own short transaction; the caller commits)."""
    now = utcnow()
    updated = session.execute(sa.update(SearchFeedReader).where(SearchFeedReader.name == name)
                              .values(position=position, seen_at=now)).rowcount
    if not updated:
        session.add(SearchFeedReader(name=name, position=position, seen_at=now))


def prune(session: Session, retention_days: float) -> int:
    """Delete rows every recently seen reader has passed, and rows older than retention_days.
    Returns the number of rows deleted; the caller commits."""
    cutoff = utcnow() - timedelta(days=retention_days)
    readers = session.scalar(sa.select(sa.func.min(SearchFeedReader.position)).where(
        SearchFeedReader.name != PRUNED, SearchFeedReader.seen_at >= cutoff))
    cond = SearchChange.created_at < cutoff
    if readers is not None:
        cond = sa.or_(cond, SearchChange.id <= readers)
    top = session.scalar(sa.select(sa.func.max(SearchChange.id)).where(cond))
    if top is None:
        return 0
    deleted = session.execute(sa.delete(SearchChange).where(cond)).rowcount
    mark = max(top, pruned_mark(session))
    report_position(session, PRUNED, mark)
    log.info("search feed: pruned %d rows (through id %d)", deleted, mark)
    return deleted


def now() -> float:
    return time.time()
