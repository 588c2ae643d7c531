"""Queries, part 2 (see query.py): sets of document numbers and BM25F scores per searcher.

Posting sets are cached per (segment, field, term): Whoosh segments are immutable, so after a commit
only the new small segment is read. Whoosh's internals are read only through whoosh_adapter.
"""
from __future__ import annotations

import heapq
import threading
from itertools import chain

from . import whoosh_adapter
from .parse import And, Or, Term, leaves

# -- document sets and scores ----------------------------------------------------------------------

K1, B = 1.2, 0.75            # BM25F, as Whoosh's default weighting
CACHE_POSTINGS = 6_000_000   # postings held in the caches of a process (~50 bytes each) before they are dropped


def _norms(avglen: float) -> tuple[list[float], list[float]]:
    """For each of Whoosh's 256 length bytes: BM25's length normaliser K1·(1-B+B·len/avglen), and the
    tf component of a term found once in a document, 1·(K1+1)/(1+normaliser) (the same float the
    general formula gives for tf 1.0). Made once per average length, not once per term read."""
    got = _NORMS.get(avglen)
    if got is None:
        from whoosh.util.numeric import byte_to_length
        norm = [K1 * ((1 - B) + B * byte_to_length(b) / avglen) for b in range(256)]
        k1p = K1 + 1
        if len(_NORMS) >= 64:  # each index generation has its own averages: keep the latest few
            _NORMS.clear()
        got = _NORMS[avglen] = (norm, [1.0 * k1p / (1.0 + n) for n in norm])
    return got


_NORMS: dict[float, tuple[list[float], list[float]]] = {}


class _SegmentCache:
    """Posting sets and BM25 term components per (segment, offset, field, term).

    Whoosh segments are immutable (only their deletion sets change), so what was read from a segment
    stays valid across index generations: after a commit only the new small segment is read, not
    the whole index again. Deleted documents are removed per searcher.
    """

    def __init__(self):
        self.sets: dict = {}
        self.scores: dict = {}
        self.lengths: dict = {}
        self.columns: dict = {}
        self.size = 0  # postings held (approximate under threads; it only bounds memory)

    def put(self, table: dict, key, value):
        self.size += len(value)
        if self.size > CACHE_POSTINGS:
            self.sets.clear()
            self.scores.clear()
            self.lengths.clear()
            self.columns.clear()
            self.size = len(value)
        table[key] = value


_segment_cache = _SegmentCache()


class _Shared:
    """The caches of one index generation (its segments and deletions), shared by its threads."""

    def __init__(self):
        self.cache: dict = {}
        self.score_cache: dict = {}
        self.columns: dict = {}
        self.values: dict = {}
        self.all: frozenset | None = None
        self.held = 0  # postings held in cache and score_cache (approximate under threads)


_GENERATIONS: dict = {}  # generation key -> _Shared, the latest few
_GENERATIONS_LOCK = threading.Lock()


def forget_generations() -> None:
    """Drop the shared per-generation caches (the index was reopened: a new searcher starts afresh)."""
    with _GENERATIONS_LOCK:
        _GENERATIONS.clear()


def _shared_state(key) -> _Shared:
    with _GENERATIONS_LOCK:
        got = _GENERATIONS.get(key)
        if got is None:
            while len(_GENERATIONS) >= 4:  # threads still on an older generation keep theirs alive
                del _GENERATIONS[next(iter(_GENERATIONS))]
            got = _GENERATIONS[key] = _Shared()
        return got


class DocSets:
    """Sets of document numbers and BM25 term scores for one searcher (one index generation).

    Queries are answered with set algebra (C speed) and scored by summing cached per-term BM25F
    components over the matching documents only: no per-posting Python matcher walk per query.
    """

    MAX_CACHED = 4000

    def __init__(self, searcher):
        self.searcher = searcher
        self.reader = searcher.reader()
        # postings a query's set evaluation read, kept for its ranking that follows (then dropped)
        self._read: dict = {}
        subs = getattr(self.reader, "readers", None)
        if subs is None:
            subs, offsets = [self.reader], [0]
        else:
            offsets = list(self.reader.doc_offsets)
        self.segments = []
        deleted = set()
        for seg_reader, offset in zip(subs, offsets, strict=True):
            segid = seg_reader.segment().segment_id() if seg_reader.segment() is not None else id(seg_reader)
            self.segments.append((segid, offset, seg_reader))
            if seg_reader.has_deletions():
                deleted.update(offset + d for d in whoosh_adapter.deleted_docs(seg_reader))
        self.deleted = frozenset(deleted)
        self.doc_count = self.reader.doc_count()
        self.doc_count_all = self.reader.doc_count_all()
        # Each thread has its own searcher (Whoosh's readers seek shared files), but what is computed
        # from one index generation is the same for every thread: its caches are shared, so a thread's
        # first query (a gthread worker's other threads, or each thread after a commit) does not
        # rebuild the facet sets, the sort columns and the merged term sets all over again.
        shared = _shared_state((tuple((segid, offset) for segid, offset, _r in self.segments), self.deleted))
        self._shared = shared
        self.cache: dict[tuple[str, str], frozenset] = shared.cache
        self.score_cache: dict[tuple[str, str], tuple] = shared.score_cache
        self._columns: dict[str, list] = shared.columns
        self._values: dict[str, list[str]] = shared.values

    def _remember(self, table: dict, key, value, size: int | None = None):
        size = len(value) if size is None else size
        shared = self._shared
        shared.held += size
        if shared.held > CACHE_POSTINGS // 2 or len(table) >= self.MAX_CACHED:
            self.cache.clear()
            self.score_cache.clear()
            shared.held = size
        table[key] = value

    # sets ---------------------------------------------------------------------------------------

    def term(self, fieldname: str, text: str, keep: bool = False) -> frozenset:
        """The documents holding a term; keep=True (a query's own terms) also keeps the postings read
        for the ranking that follows, which then need not read them again."""
        key = (fieldname, text)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        parts = []
        for segid, offset, seg_reader in self.segments:
            skey = (segid, offset, fieldname, text)
            got = _segment_cache.sets.get(skey)
            if got is None:
                postings = whoosh_adapter.postings(seg_reader, fieldname, text)
                ids = postings[0]
                got = frozenset(map(offset.__add__, ids)) if offset else frozenset(ids)
                _segment_cache.put(_segment_cache.sets, skey, got)
                if keep and ids and skey not in _segment_cache.scores:
                    self._read[skey] = postings
            if got:
                parts.append(got)
        ids = parts[0] if len(parts) == 1 else frozenset().union(*parts)
        if self.deleted and ids:
            ids = ids - self.deleted
        self._remember(self.cache, key, ids)
        return ids

    def all(self) -> frozenset:
        shared = self._shared
        if shared.all is None:
            shared.all = frozenset(range(self.doc_count_all)) - self.deleted
        return shared.all

    def evaluate(self, node) -> frozenset:
        if node is None:
            return self.all()
        if isinstance(node, Term):
            return self.term(node.field, node.text, keep=True)
        if isinstance(node, And):
            sets = sorted((self.evaluate(i) for i in node.items), key=len)
            out = sets[0]
            for s in sets[1:]:
                if not out:
                    break
                out = out & s
            return out
        if isinstance(node, Or):
            sets = [self.evaluate(i) for i in node.items]
            return frozenset().union(*sets)
        raise TypeError(node)

    # scores -------------------------------------------------------------------------------------

    def _avglen(self, fieldname: str) -> float:
        n = self.doc_count_all or 1
        return max(1.0, self.reader.field_length(fieldname) / n)

    def term_scores(self, fieldname: str, text: str) -> tuple[dict, ...]:
        """{docnum: BM25F tf component} of a term (multiply by idf and boost), one dict per segment
        that holds it: a document is in one segment only, so they are read side by side, not merged
        (merging copied every posting of a term on its first query)."""
        key = (fieldname, text)
        hit = self.score_cache.get(key)
        if hit is not None:
            return hit
        parts = []
        avglen = self._avglen(fieldname)
        for segid, offset, seg_reader in self.segments:
            skey = (segid, offset, fieldname, text)
            got = _segment_cache.scores.get(skey)
            if got is None:
                got = self._segment_scores(seg_reader, offset, fieldname, text, avglen, self._read.pop(skey, None))
                _segment_cache.put(_segment_cache.scores, skey, got)
            if got:
                parts.append(got)
        out = tuple(parts)
        self._remember(self.score_cache, key, out, sum(map(len, out)))
        return out

    def _segment_scores(self, seg_reader, offset, fieldname, text, avglen, postings=None) -> dict:
        ids, weights = postings or whoosh_adapter.postings(seg_reader, fieldname, text)
        if not ids:
            return {}
        lkey = (seg_reader.segment().segment_id(), fieldname)
        lengths = _segment_cache.lengths.get(lkey)
        if lengths is None:
            lengths = whoosh_adapter.length_bytes(seg_reader, fieldname)
            _segment_cache.put(_segment_cache.lengths, lkey, lengths)
        norm, once = _norms(avglen)
        k1p = K1 + 1
        keys = map(offset.__add__, ids) if offset else ids
        if ids[-1] >= len(lengths):  # a length byte missing (no length column) counts as 0
            nlen = len(lengths)
            return dict(zip(keys, (tf * k1p / (tf + norm[lengths[i] if i < nlen else 0])
                                   for i, tf in zip(ids, weights, strict=True)), strict=True))
        if weights.count(1.0) == len(weights):  # the common case, the term once in each document: C-level maps
            return dict(zip(keys, map(once.__getitem__, map(lengths.__getitem__, ids)), strict=True))
        return dict(zip(keys, (tf * k1p / (tf + norm[lengths[i]]) for i, tf in zip(ids, weights, strict=True)), strict=True))

    def idf(self, fieldname: str, text: str) -> float:
        import math
        df = len(self.term(fieldname, text))
        return math.log(self.doc_count / (df + 1)) + 1 if self.doc_count else 1.0

    def rank(self, node, final: frozenset, want: int) -> list[tuple[int, float]]:
        """The `want` best documents of `final` by BM25F summed over the query's terms."""
        weights: dict[tuple[str, str], float] = {}
        for leaf in leaves(node):
            key = (leaf.field, leaf.text)
            weights[key] = max(weights.get(key, 0.0), leaf.boost)
        acc = dict.fromkeys(final, 0.0)
        n = len(final)
        for (fieldname, text), boost in weights.items():
            parts = self.term_scores(fieldname, text)
            if not parts:
                continue
            w = boost * self.idf(fieldname, text)
            for sd in parts:
                if len(sd) <= n:
                    for d, v in sd.items():
                        if d in acc:
                            acc[d] += w * v
                else:
                    get = sd.get
                    for d in final:
                        v = get(d)
                        if v:
                            acc[d] += w * v
        self.release_postings()
        pub = self.column("published")
        best = heapq.nlargest(want, acc.items(), key=lambda kv: (kv[1], pub[kv[0]]))
        return best

    def release_postings(self) -> None:
        """Drop postings kept for a ranking (one that did not run: another sort order)."""
        self._read.clear()

    # values and columns -------------------------------------------------------------------------

    def values(self, fieldname: str) -> list[str]:
        """The terms of a (facet) field, read once per searcher: every query counts its facets over them."""
        got = self._values.get(fieldname)
        if got is None:
            got = [t.decode("utf-8") if isinstance(t, bytes) else t for t in self.reader.lexicon(fieldname)]
            self._values[fieldname] = got
        return got

    def column(self, fieldname: str) -> list:
        """A sort column's values by document number, read once per segment (segments are immutable:
        after a commit only the new segment's values are read)."""
        col = self._columns.get(fieldname)
        if col is None:
            parts = []
            for segid, _offset, seg_reader in self.segments:
                key = (segid, fieldname)
                got = _segment_cache.columns.get(key)
                if got is None:
                    got = list(seg_reader.column_reader(fieldname))
                    _segment_cache.put(_segment_cache.columns, key, got)
                parts.append(got)
            col = parts[0] if len(parts) == 1 else list(chain.from_iterable(parts))
            self._columns[fieldname] = col
        return col

