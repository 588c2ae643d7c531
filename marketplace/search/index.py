"""The index on disk: open (or recover), write safely from many processes, rebuild, check.

Writers. Whoosh allows one writer per index at a time and guards it with an OS file lock
(fcntl.flock on `<dir>/MAIN_WRITELOCK`), so writers in different web worker processes (and in the
CLI) exclude each other and a crashed process never leaves the lock held. We ask for the lock with
a bounded wait (`SEARCH_WRITE_TIMEOUT`, polling every 20 ms): index updates are small (the documents
of one commit), so waiting is short. Changes reach the index through the durable feed (feed.py):
if the wait times out — e.g. a full rebuild holds the lock — the rows simply wait in the database
and a background thread (or the next commit, or `search follow`) applies them; because applying
reloads the rows from the database, a late pass never writes stale data. Creating or
rebuilding an index additionally takes `<dir>/MAINTENANCE.lock` so that two processes that both
find the index missing do not both recreate it.

Readers. Each thread keeps one open searcher and refreshes it (`searcher.refresh()`) when the
index generation changed, so a committed update is visible to the next query in every process.

Recovery. A missing, unreadable or outdated index is rebuilt from the database with a logged
warning; small databases are rebuilt at once, large ones in a background thread (queries answer
from the new, filling index meanwhile) so that no request waits minutes.
"""
from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager

from sqlalchemy.orm import Session
from whoosh import index as windex
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from ..core.db import reading, writing
from ..extensions import db
from . import feed
from .documents import KINDS, parse_key, register_defaults
from .rebuild import BATCH, RebuildMixin
from .schema import SCHEMA_VERSION, make_schema
from .whoosh_adapter import fast_codec

log = logging.getLogger("marketplace.search")
INDEX_NAME = "MAIN"


class SearchIndex(RebuildMixin):
    """One per application (app.extensions["search"])."""

    def __init__(self, app):
        register_defaults()
        self.app = app
        self.path = app.config["SEARCH_INDEX_DIR"]
        self._ix = None
        self._open_lock = threading.Lock()
        self._local = threading.local()
        self._pid = os.getpid()
        self._catch_up_thread: threading.Thread | None = None
        self._behind = False
        self._reported = float("-inf")
        self.rebuilding: threading.Thread | None = None

    # -- config ------------------------------------------------------------------------------------

    def cfg(self, name):
        return self.app.config[name]

    # -- opening -----------------------------------------------------------------------------------

    @property
    def ix(self):
        if self._pid != os.getpid():  # forked (a gunicorn worker): never share the parent's file handles
            self._pid = os.getpid()
            self.reset()
        if self._ix is None:
            with self._open_lock:
                if self._ix is None:
                    self._ix = self._open_or_recover()
        return self._ix

    def _try_open(self):
        """The index if it is present, readable and of our schema version, else None (with why)."""
        if not os.path.isdir(self.path):
            return None, "missing"
        try:
            if not windex.exists_in(self.path, indexname=INDEX_NAME):
                return None, "missing"
            ix = windex.open_dir(self.path, indexname=INDEX_NAME)
            if set(ix.schema.names()) != set(make_schema().names()):
                return None, "of another schema"
            with ix.searcher() as s:
                s.doc_count_all()
                for fields in s.all_stored_fields():
                    if fields.get("schema_version") != SCHEMA_VERSION:
                        return None, "of another schema version"
                    break
            return ix, None
        except Exception as err:  # a damaged index raises all sorts of errors
            return None, f"unreadable ({type(err).__name__}: {err})"

    def _open_or_recover(self):
        ix, why = self._try_open()
        if ix is not None:
            return ix
        log.warning("search index in %s is %s; rebuilding it from the database", self.path, why)
        with self.maintenance_lock():
            ix, _ = self._try_open()  # another process may have rebuilt it meanwhile
            if ix is not None:
                return ix
            ix = self.create_empty()
            count = self.count_indexable()
            if count <= self.cfg("SEARCH_SYNC_REBUILD_LIMIT"):
                self._rebuild_into(ix)
                return ix
        self._ix = ix
        self.rebuild_in_background()
        return ix

    def create_empty(self):
        os.makedirs(self.path, exist_ok=True)
        try:  # a new, empty index: the old position means nothing for it
            os.unlink(os.path.join(self.path, feed.STATE_FILE))
        except FileNotFoundError:
            pass
        return FileStorage(self.path).create_index(make_schema(), indexname=INDEX_NAME)

    def reset(self):
        """Forget the open index and searchers (e.g. after the directory was replaced)."""
        with self._open_lock:
            self._ix = None
            self._local = threading.local()

    @contextmanager
    def maintenance_lock(self, timeout: float = 600.0):
        os.makedirs(self.path, exist_ok=True)
        fd = os.open(os.path.join(self.path, "MAINTENANCE.lock"), os.O_CREAT | os.O_WRONLY, 0o644)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise LockError("search index maintenance lock timed out") from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    # -- reading -----------------------------------------------------------------------------------

    def searcher(self):
        """This thread's searcher, refreshed if the index changed since it was opened."""
        s = getattr(self._local, "searcher", None)
        ix = self.ix
        if s is None or getattr(self._local, "ix", None) is not ix:
            s = ix.searcher()
            self._local.ix = ix
        elif not s.up_to_date():
            s = s.refresh()
        self._local.searcher = s
        return s

    def docsets(self):
        """This thread's cached posting sets for its current searcher."""
        from .query import DocSets

        s = self.searcher()
        ds = getattr(self._local, "docsets", None)
        if ds is None or ds.searcher is not s:
            ds = DocSets(s)
            self._local.docsets = ds
        return ds

    def recover(self, err: Exception):
        """A query failed on the index itself: reopen, and rebuild if it is damaged."""
        log.warning("search index read failed (%s: %s); reopening", type(err).__name__, err)
        self.reset()
        return self.ix

    # -- writing -----------------------------------------------------------------------------------

    @contextmanager
    def writer(self, timeout: float | None = None, **kwargs):
        """A Whoosh writer holding the index's write lock; commits on success, cancels on error."""
        w = self.ix.writer(timeout=self.cfg("SEARCH_WRITE_TIMEOUT") if timeout is None else timeout,
                           delay=0.02, codec=fast_codec(), **kwargs)
        try:
            yield w
        except BaseException:
            w.cancel()
            raise
        else:
            w.commit()

    def apply(self, changes: dict):
        """(Re)index or delete documents from the committed database state, now.

        `changes` maps a kind name to ids of that kind, or a (kind name, related table or model)
        pair to ids of that table (e.g. an organisation whose name appears in its resources).
        Raises LockError if the index stays busy (the feed is the durable path; this is direct).
        """
        changes = {k: set(v) for k, v in changes.items() if v}
        if not changes:
            return
        with reading(), Session(db.engine) as session, self.writer() as w:
            self._write_changes(w, session, changes)

    def _write_changes(self, w, session, changes: dict) -> int:
        by_kind: dict[str, set[int]] = {}
        for key, ids in changes.items():
            if isinstance(key, tuple):
                name, model = key
                kind = KINDS.get(name)
                fn = None
                if kind is not None:
                    for rel_model, rel_fn in kind.related.items():
                        if rel_model is model or getattr(rel_model, "__tablename__", None) == model:
                            fn = rel_fn
                if fn is not None:
                    by_kind.setdefault(name, set()).update(fn(session, sorted(ids)))
            elif key in KINDS:
                by_kind.setdefault(key, set()).update(ids)
        written = 0
        for name, ids in by_kind.items():
            kind = KINDS[name]
            ordered = sorted(ids)
            found = set()
            for start in range(0, len(ordered), BATCH):
                for obj in kind.load(session, ordered[start:start + BATCH]):
                    w.update_document(**kind.build(obj))
                    found.add(obj.id)
                session.expunge_all()
            for obj_id in ids - found:
                w.delete_by_term("key", kind.key(obj_id))
            written += len(ids)
        return written

    # -- following the feed (feed.py) --------------------------------------------------------------

    def catch_up(self, timeout: float | None = None, batch: int | None = None) -> int:
        """Apply every committed feed row this index has not applied yet; return how many.

        Raises LockError if another writer keeps the index longer than `timeout`."""
        batch = batch or self.cfg("SEARCH_FEED_BATCH")
        total = 0
        while True:
            applied, more = self._feed_pass(timeout, batch)
            total += applied
            if not more:
                return total

    def _feed_pass(self, timeout, batch) -> tuple[int, bool]:
        # Runs after a request's commit, still in its (writing) context: read without SQLite's write
        # lock, which would otherwise be held while the index writer is awaited and documents are cut.
        with reading():
            return self._feed_pass_reading(timeout, batch)

    def _feed_pass_reading(self, timeout, batch) -> tuple[int, bool]:
        gap = self.cfg("SEARCH_FEED_GAP_SECONDS")
        state = feed.FeedState.load(self.path)
        if state.known:  # look first without the write lock: most passes find nothing to do
            with Session(db.engine) as session:
                rows = feed.rows_after(session, state, batch)
            if not state.pending([r[0] for r in rows]) and not state.expired_gap(feed.now(), gap):
                return 0, False
        w = self.ix.writer(timeout=self.cfg("SEARCH_WRITE_TIMEOUT") if timeout is None else timeout,
                           delay=0.02, codec=fast_codec())
        try:
            state = feed.FeedState.load(self.path)  # under the lock: another process may have moved it
            with Session(db.engine) as session:
                if not state.known:
                    state = feed.FeedState(position=feed.start_position(session, gap))
                rows = feed.rows_after(session, state, batch)
                todo = set(state.pending([r[0] for r in rows]))
                changes = feed.changes_of(r for r in rows if r[0] in todo)
                if changes:
                    self._write_changes(w, session, changes)
            if changes:
                w.commit()
            else:
                w.cancel()
        except BaseException:
            w.cancel()
            raise
        # after the Whoosh commit: a crash before this line only applies the same rows again
        state.advance(sorted(todo), feed.now(), gap)
        state.save(self.path)
        self._report(state.position)
        return len(todo), bool(todo) and len(rows) >= batch

    def _report(self, position: int, force: bool = False):
        """Tell the database where this index is (for pruning), every SEARCH_FEED_REPORT_SECONDS."""
        now = time.monotonic()
        if not force and now - self._reported < self.cfg("SEARCH_FEED_REPORT_SECONDS"):
            return
        self._reported = now
        try:
            with writing(), Session(db.engine) as session:  # one short write transaction
                feed.report_position(session, feed.reader_name(self.app), position)
                session.commit()
        except Exception as err:  # a report is best effort; the position file is what counts
            log.warning("search feed: could not report the position (%s)", err)

    def feed_position(self) -> int:
        return feed.FeedState.load(self.path).position

    def catch_up_after_commit(self):
        """In-process, right after a commit that wrote feed rows: apply them (bounded wait for the
        write lock); if the index stays busy a background thread keeps trying — the rows are in
        the database, so nothing is lost if this process dies first."""
        try:
            _applied, more = self._feed_pass(None, self.cfg("SEARCH_FEED_BATCH"))
        except LockError:
            log.warning("search index busy; the feed will be applied in the background")
            more = True
        if more:  # a backlog (e.g. no follower ran for a while) is not the request's to wait for
            self._catch_up_in_background()

    def _catch_up_in_background(self):
        with self._open_lock:
            self._behind = True
            if self._catch_up_thread is not None and self._catch_up_thread.is_alive():
                return
            self._catch_up_thread = threading.Thread(target=self._catch_up_loop, name="search-feed", daemon=True)
            self._catch_up_thread.start()

    def _catch_up_loop(self):
        delay = 0.2
        while True:
            try:
                with self.app.app_context():
                    self._behind = False
                    self.catch_up()
                if not self._behind:
                    return
            except Exception as err:
                self._behind = True
                log.warning("search feed catch-up failed (%s); retrying in %.1fs", err, delay)
                time.sleep(delay)
                delay = min(delay * 2, 10.0)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait for a background catch-up and a background rebuild to finish (tests, CLI)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = ((self._catch_up_thread is not None and self._catch_up_thread.is_alive())
                    or (self.rebuilding is not None and self.rebuilding.is_alive()))
            if not busy:
                return True
            time.sleep(0.02)
        return False

    def follow(self, interval: float, stop: threading.Event | None = None, once: bool = False,
               batch: int | None = None, echo=None) -> int:
        """Apply the feed, then poll it every `interval` seconds (until `stop` is set, or once)."""
        stop = stop or threading.Event()
        self._check_not_pruned_past()
        prune_every = self.cfg("SEARCH_FEED_PRUNE_SECONDS")
        last_prune = time.monotonic()
        total = 0
        while True:
            try:
                n = self.catch_up(batch=batch)
            except LockError:
                n = 0
            except Exception:  # the database or the disk failed this time: keep following
                if once:
                    raise
                log.exception("search feed pass failed; retrying in %.1fs", interval)
                n = 0
            total += n
            if n and echo:
                echo(n, self.feed_position())
            if once:
                self._report(self.feed_position(), force=True)
                return total
            if prune_every and time.monotonic() - last_prune >= prune_every:
                last_prune = time.monotonic()
                try:
                    self.prune()
                    self._check_not_pruned_past()
                except Exception:
                    log.exception("search feed prune failed")
            if stop.wait(interval):
                return total

    def prune(self) -> int:
        with Session(db.engine) as session:
            deleted = feed.prune(session, self.cfg("SEARCH_FEED_RETENTION_DAYS"))
            session.commit()
        return deleted

    def _check_not_pruned_past(self):
        state = feed.FeedState.load(self.path)
        if not state.known:
            return
        with Session(db.engine) as session:
            mark = feed.pruned_mark(session)
        if state.position < mark:
            log.warning("search index %s is behind the pruned feed (%d < %d); rebuilding", self.path,
                        state.position, mark)
            self.rebuild()

    # -- rebuild and check -------------------------------------------------------------------------

    def doc_count(self) -> int:
        return self.searcher().doc_count()


def changes_by_kind(keys: Iterable[str]) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for key in keys:
        name, obj_id = parse_key(key)
        out.setdefault(name, set()).add(obj_id)
    return out
