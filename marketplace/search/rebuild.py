"""The search index rebuilt from the database, and checked against it (`flask search rebuild|check`).

A mixin of SearchIndex (index.py): the database is the truth, the index can be deleted and rebuilt
from it at any time; a rebuild writes a fresh index beside the live one and swaps it in.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session
from whoosh import writing

from ..core.db import reading
from ..extensions import db
from . import feed
from .documents import KINDS, parse_key
from .fastwriter import TermWriter, write_segments, write_segments_forked

log = logging.getLogger("marketplace.search")


class RebuildMixin:
    # The sessions below only read: reading() keeps them from asking SQLite for the write lock when
    # they run inside a writer's context (a job's unit of work that opens the index for the first
    # time), where they would wait on that writer's own lock until busy_timeout.
    def count_indexable(self) -> int:
        with reading(), Session(db.engine) as session:
            total = 0
            for kind in KINDS.values():
                sub = kind.indexable().subquery()
                total += session.scalar(sa.select(sa.func.count()).select_from(sub)) or 0
            return total

    def _all_ids(self, session) -> dict[str, dict[int, str]]:
        out = {}
        for name, kind in KINDS.items():
            rows = session.execute(kind.indexable()).all()
            out[name] = {row[0]: row[1] for row in rows}
        return out

    def rebuild(self, progress: Callable[[int], None] | None = None, procs: int | None = None) -> int:
        """Replace the index contents with every indexable document in the database.

        procs > 1 forks that many processes, each building a share of the documents into its own
        segments (use it from the CLI, not in a web worker).
        """
        with self.maintenance_lock():
            ix, _ = self._try_open()
            if ix is None:
                ix = self.create_empty()
            with self._open_lock:
                self._ix = ix
            return self._rebuild_into(ix, progress, procs)

    def _rebuild_into(self, ix, progress=None, procs=None) -> int:
        procs = max(1, int(procs or 1))
        limitmb = self.cfg("SEARCH_WRITER_LIMITMB")
        # holds the index lock while the documents are written into segments, then commits them
        w = TermWriter(ix, timeout=self.cfg("SEARCH_REBUILD_LOCK_TIMEOUT"), delay=0.05)
        try:
            with reading(), Session(db.engine) as session:
                # the feed's head, less the rows that may still be committing (feed.py); read
                # before the documents, so a change committed meanwhile is applied again after
                feed_start = feed.start_position(session, self.cfg("SEARCH_FEED_GAP_SECONDS"))
                ids = [(name, sorted(session.scalars(kind.indexable().with_only_columns(
                    kind.indexable().selected_columns[0])).all())) for name, kind in KINDS.items()]
            if procs == 1:
                segments, count = write_segments(ix, ids, limitmb, progress)
            else:
                # each process cuts and indexes a contiguous share of every kind's ids
                shares = [[(name, kind_ids[len(kind_ids) * p // procs:len(kind_ids) * (p + 1) // procs])
                           for name, kind_ids in ids] for p in range(procs)]
                segments, count = write_segments_forked(ix, shares, limitmb, progress)
            w.segments_written.extend(segments)
            w.commit(mergetype=writing.CLEAR)
        except BaseException:
            w.cancel()
            raise
        feed.FeedState(position=feed_start).save(self.path)
        log.info("search index rebuilt: %d documents", count)
        return count

    def force_rebuild(self):
        """Recreate the index from the database (damaged index that still opens)."""
        with self.maintenance_lock():
            ix = self.create_empty()
            with self._open_lock:
                self._ix = ix
                self._local = threading.local()
            if self.count_indexable() <= self.cfg("SEARCH_SYNC_REBUILD_LIMIT"):
                self._rebuild_into(ix)
                return
        self.rebuild_in_background()

    def rebuild_in_background(self):
        if self.rebuilding is not None and self.rebuilding.is_alive():
            return

        def run():
            with self.app.app_context():
                try:
                    self.rebuild()
                except Exception:
                    log.exception("background search index rebuild failed")

        self.rebuilding = threading.Thread(target=run, name="search-rebuild", daemon=True)
        self.rebuilding.start()

    def check(self) -> dict:
        """Compare the index with the database: missing, stale and extra documents (by key)."""
        with reading(), Session(db.engine) as session:
            expected = self._all_ids(session)
        from .documents import version_of
        indexed: dict[str, str] = {}
        with self.ix.searcher() as s:
            for fields in s.all_stored_fields():
                indexed[fields["key"]] = fields.get("version", "")
        report = {"missing": [], "stale": [], "extra": [], "indexed": len(indexed),
                  "expected": sum(len(v) for v in expected.values())}
        for name, rows in expected.items():
            kind = KINDS[name]
            for obj_id, version in rows.items():
                key = kind.key(obj_id)
                if key not in indexed:
                    report["missing"].append(key)
                elif indexed[key] != version_of(version):
                    report["stale"].append(key)
        for key in indexed:
            name, obj_id = parse_key(key)
            if name not in expected or obj_id not in expected[name]:
                report["extra"].append(key)
        for k in ("missing", "stale", "extra"):
            report[k].sort()
        return report

