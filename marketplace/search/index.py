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

Readers. Each thread keeps one open searcher and reopens it when the index generation changed, so a
committed update is visible to the next query in every process. Not `searcher.refresh()`: in
whoosh-reloaded 2.7.5 it reuses a segment's old reader whatever its new deletions, and adds back the
segments a merge removed (deleted or merged documents would still be found).

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

from ..core.db import reading
from ..extensions import db
from . import feed
from .documents import KINDS, parse_key, register_defaults
from .fastwriter import BATCH
from .following import FollowMixin
from .rebuild import RebuildMixin
from .schema import SCHEMA_VERSION, make_schema
from .whoosh_adapter import fast_codec

log = logging.getLogger("marketplace.search")
INDEX_NAME = "MAIN"


class SearchIndex(RebuildMixin, FollowMixin):
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
        from .docsets import forget_generations
        with self._open_lock:
            self._ix = None
            self._local = threading.local()
        forget_generations()

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
            s.close()
            s = ix.searcher()
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

    # -- rebuild and check -------------------------------------------------------------------------

    def doc_count(self) -> int:
        return self.searcher().doc_count()


def changes_by_kind(keys: Iterable[str]) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for key in keys:
        name, obj_id = parse_key(key)
        out.setdefault(name, set()).add(obj_id)
    return out
