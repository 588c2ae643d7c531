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

from ..extensions import db
from . import feed
from .documents import KINDS, parse_key
from .whoosh_adapter import fast_codec

log = logging.getLogger("marketplace.search")
BATCH = 500  # documents loaded from the database per query


class RebuildMixin:
    def count_indexable(self) -> int:
        with Session(db.engine) as session:
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

        procs > 1 forks that many Whoosh sub-writers (use it from the CLI, not in a web worker).
        """
        with self.maintenance_lock():
            ix, _ = self._try_open()
            if ix is None:
                ix = self.create_empty()
            with self._open_lock:
                self._ix = ix
            return self._rebuild_into(ix, progress, procs)

    def _rebuild_into(self, ix, progress=None, procs=None) -> int:
        count = 0
        procs = max(1, int(procs or 1))
        limitmb = self.cfg("SEARCH_WRITER_LIMITMB")
        if procs > 1:
            # documents are cut here while `procs` forked sub-writers index them into segments
            w = ix.writer(procs=procs, multisegment=True, batchsize=250, codec=fast_codec(),
                          timeout=self.cfg("SEARCH_REBUILD_LOCK_TIMEOUT"), delay=0.05,
                          subargs={"codec": fast_codec(), "limitmb": limitmb, "compound": False})
        else:
            # not compound: skips copying every segment file into one at the end
            w = ix.writer(timeout=self.cfg("SEARCH_REBUILD_LOCK_TIMEOUT"), delay=0.05, limitmb=limitmb,
                          codec=fast_codec(), compound=False)
        try:
            with Session(db.engine) as session:
                # the feed's head, less the rows that may still be committing (feed.py); read
                # before the documents, so a change committed meanwhile is applied again after
                feed_start = feed.start_position(session, self.cfg("SEARCH_FEED_GAP_SECONDS"))
                for kind in KINDS.values():
                    ids = sorted(session.scalars(kind.indexable().with_only_columns(
                        kind.indexable().selected_columns[0])).all())
                    for start in range(0, len(ids), BATCH):
                        chunk = ids[start:start + BATCH]
                        for obj in kind.load(session, chunk):
                            w.add_document(**kind.build(obj))
                            count += 1
                        session.expunge_all()
                        if progress:
                            progress(len(chunk))
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
        with Session(db.engine) as session:
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

