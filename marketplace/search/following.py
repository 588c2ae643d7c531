"""Following the durable feed (feed.py): apply committed change-log rows in order, keep the position.

A mixin of SearchIndex (index.py): after a commit the web process applies a pass itself (more in a
background thread); `flask search follow` runs the same passes as a separate indexer.
"""
from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.orm import Session
from whoosh.index import LockError

from ..core.db import reading, writing
from ..extensions import db
from . import feed
from .whoosh_adapter import fast_codec

log = logging.getLogger("marketplace.search")


class FollowMixin:
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
