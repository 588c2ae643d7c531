"""Queries: built from our own tokens (never Whoosh's query parser), matched, faceted, highlighted.

A query string is split on white space into chunks; a chunk that is a synonym form matches any
form of its group. Otherwise each Han run or Latin word of the chunk is a *word*: all words must
match (AND). A word matches when
  * all its jieba tokens match, each in the title (boosted) or the text, each token also by its
    synonyms (电镜 → 电子显微镜 …), or
  * all its character bigrams match the title/tag n-grams (a part of a word: 显微 → 显微镜).
Latin words and model numbers match whole, case-insensitively (the index also holds their parts).

The query is a small tree (And / Or / Term) evaluated two ways: as a Whoosh query for BM25F
scoring of the page of hits, and as sets of document numbers (posting sets cached per searcher
generation) for the total, the filters and the facet counts — set algebra in C instead of walking
every posting in Python for each facet.
"""
from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from typing import Iterable

from markupsafe import Markup, escape
from whoosh import query as wq

from . import analysis

TITLE_BOOST = 4.0
CONTENT_BOOST = 1.0
NGRAM_BOOST = 0.6
SYNONYM_FACTOR = 0.8
MAX_WORDS = 12           # words of a query that are used (the rest are ignored)
MAX_TERMS_PER_WORD = 8
FACETS = ("type", "platform", "city")
FILTER_FIELDS = ("type", "platform", "city", "org")
SORTS = ("relevance", "newest", "price")


# -- the query tree -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass
class Parsed:
    tree: object | None                 # None: match every document
    marks: set[str] = field(default_factory=set)  # surface strings to highlight
    words: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.tree is None


def _and(items):
    items = tuple(dict.fromkeys(i for i in items if i is not None))
    if not items:
        return None
    return items[0] if len(items) == 1 else And(items)


def _or(items):
    items = tuple(dict.fromkeys(i for i in items if i is not None))
    if not items:
        return None
    return items[0] if len(items) == 1 else Or(items)


def _token_clause(token: str, factor: float = 1.0):
    return Or((Term("title", token, TITLE_BOOST * factor), Term("content", token, CONTENT_BOOST * factor)))


def _form_clause(form: str, factor: float, marks: set[str]):
    """All tokens of a synonym form (e.g. 液相色谱-质谱联用 → 液相色谱 AND 质谱联用)."""
    toks = analysis.tokens(form, "query")[:MAX_TERMS_PER_WORD]
    marks.add(form)
    return _and(_token_clause(t, factor) for t in toks)


def _synonym_group(form: str, marks: set[str]):
    group = analysis.synonyms().get(form)
    if not group:
        return None
    return _or(_form_clause(f, 1.0 if f == form else SYNONYM_FACTOR, marks) for f in group)


def _word_clause(kind: str, word: str, marks: set[str]):
    marks.add(word)
    syn = _synonym_group(word, marks)
    if syn is not None:
        if kind == "han":
            return _or((syn, _ngram_clause(word)))
        return syn
    if kind == "latin":
        return _token_clause(word)
    parts = []
    for tok in analysis.tokens(word, "query")[:MAX_TERMS_PER_WORD]:
        marks.add(tok)
        parts.append(_synonym_group(tok, marks) or _token_clause(tok))
    return _or((_and(parts), _ngram_clause(word)))


def _ngram_clause(run: str):
    grams = analysis.query_ngrams(run)[:MAX_TERMS_PER_WORD * 2]
    if not grams:
        return None
    return _and(Term("ngram", g, NGRAM_BOOST) for g in dict.fromkeys(grams))


def parse(q: str) -> Parsed:
    """Turn user text into a query tree; any text is acceptable (syntax characters are just text)."""
    marks: set[str] = set()
    clauses, words = [], []
    for chunk in (q or "").split():
        norm = analysis.normalize(chunk).strip()
        if not norm:
            continue
        syn = _synonym_group(norm, marks)
        if syn is not None:
            marks.add(norm)
            clauses.append(syn)
            words.append(chunk)
        else:
            for kind, word in analysis.query_words(chunk):
                if word in analysis.STOPWORDS:
                    continue
                clauses.append(_word_clause(kind, word, marks))
                words.append(word)
        if len(clauses) >= MAX_WORDS:
            break
    return Parsed(_and(clauses[:MAX_WORDS]), {m for m in marks if m}, words[:MAX_WORDS])


def broader(parsed: Parsed) -> Parsed | None:
    """Any word instead of all words (for the empty state), or None if there is one word."""
    if isinstance(parsed.tree, And):
        return Parsed(Or(parsed.tree.items), parsed.marks, parsed.words)
    return None


def to_whoosh(node):
    if isinstance(node, Term):
        return wq.Term(node.field, node.text, boost=node.boost)
    if isinstance(node, And):
        return wq.And([to_whoosh(i) for i in node.items])
    if isinstance(node, Or):
        return wq.Or([to_whoosh(i) for i in node.items])
    return wq.Every()


# -- document sets and scores ----------------------------------------------------------------------

K1, B = 1.2, 0.75            # BM25F, as Whoosh's default weighting
CACHE_POSTINGS = 6_000_000   # postings held in the caches of a process (~50 bytes each) before they are dropped


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
        self.size = 0  # postings held (approximate under threads; it only bounds memory)

    def put(self, table: dict, key, value):
        self.size += len(value)
        if self.size > CACHE_POSTINGS:
            self.sets.clear()
            self.scores.clear()
            self.lengths.clear()
            self.size = len(value)
        table[key] = value


_segment_cache = _SegmentCache()


def _leaf_postings(seg_reader, fieldname: str, text: str):
    """(ids, weights) of a term in one segment, deleted documents included, block by block.

    Reads Whoosh 2.7's W3 posting blocks directly (arrays per block instead of a Python call per
    posting); any other codec falls back to the public matcher API.
    """
    try:
        return _leaf_postings_fast(seg_reader, fieldname, text)
    except Exception:
        if (fieldname, text) not in seg_reader:
            return (), ()
        m = seg_reader.postings(fieldname, text)
        ids, weights = [], []
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
        return ids, weights


def _leaf_postings_fast(seg_reader, fieldname: str, text: str):
    btext = text.encode("utf-8")
    if (fieldname, btext) not in seg_reader._terms:
        return (), ()
    m = seg_reader._terms.matcher(fieldname, btext, seg_reader.schema[fieldname].format)
    ids, weights = [], []
    while m.is_active():
        if m._ids is None:
            m._read_ids()
        if m._weights is None:
            m._read_weights()
        ids.extend(m._ids)
        weights.extend(m._weights)
        if m._lastblock:
            break
        m._next_block()
    return ids, weights


def _length_bytes(seg_reader, fieldname: str) -> bytes:
    """The per-document length bytes of a field in one segment (Whoosh stores them one byte each)."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
    from whoosh.util.numeric import length_to_byte
    try:
        col = seg_reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if col is None:
            return b""
        return col._dbfile.get(col._basepos, col._count)
    except Exception:  # another codec: one call per document
        return bytes(length_to_byte(seg_reader.doc_field_length(d, fieldname) or 0)
                     for d in range(seg_reader.doc_count_all()))


class DocSets:
    """Sets of document numbers and BM25 term scores for one searcher (one index generation).

    Queries are answered with set algebra (C speed) and scored by summing cached per-term BM25F
    components over the matching documents only: no per-posting Python matcher walk per query.
    """

    MAX_CACHED = 4000

    def __init__(self, searcher):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.cache: dict[tuple[str, str], frozenset] = {}
        self.score_cache: dict[tuple[str, str], dict] = {}
        self._held = 0
        self._all: frozenset | None = None
        self._columns: dict[str, list] = {}
        subs = getattr(self.reader, "readers", None)
        if subs is None:
            subs, offsets = [self.reader], [0]
        else:
            offsets = list(self.reader.doc_offsets)
        self.segments = []
        deleted = set()
        for seg_reader, offset in zip(subs, offsets):
            segid = seg_reader.segment().segment_id() if seg_reader.segment() is not None else id(seg_reader)
            self.segments.append((segid, offset, seg_reader))
            if seg_reader.has_deletions():
                deleted.update(offset + d for d in seg_reader._perdoc.deleted_docs())
        self.deleted = frozenset(deleted)
        self.doc_count = self.reader.doc_count()
        self.doc_count_all = self.reader.doc_count_all()

    def _remember(self, table: dict, key, value):
        self._held += len(value)
        if self._held > CACHE_POSTINGS // 2 or len(table) >= self.MAX_CACHED:
            self.cache.clear()
            self.score_cache.clear()
            self._held = len(value)
        table[key] = value

    # sets ---------------------------------------------------------------------------------------

    def term(self, fieldname: str, text: str) -> frozenset:
        key = (fieldname, text)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        parts = []
        for segid, offset, seg_reader in self.segments:
            skey = (segid, offset, fieldname, text)
            got = _segment_cache.sets.get(skey)
            if got is None:
                ids, _w = _leaf_postings(seg_reader, fieldname, text)
                got = frozenset(i + offset for i in ids) if offset else frozenset(ids)
                _segment_cache.put(_segment_cache.sets, skey, got)
            if got:
                parts.append(got)
        ids = parts[0] if len(parts) == 1 else frozenset().union(*parts)
        if self.deleted and ids:
            ids = ids - self.deleted
        self._remember(self.cache, key, ids)
        return ids

    def all(self) -> frozenset:
        if self._all is None:
            self._all = frozenset(range(self.doc_count_all)) - self.deleted
        return self._all

    def evaluate(self, node) -> frozenset:
        if node is None:
            return self.all()
        if isinstance(node, Term):
            return self.term(node.field, node.text)
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

    def term_scores(self, fieldname: str, text: str) -> dict:
        """{docnum: BM25F tf component} of a term (multiply by idf and boost)."""
        key = (fieldname, text)
        hit = self.score_cache.get(key)
        if hit is not None:
            return hit
        out: dict = {}
        avglen = self._avglen(fieldname)
        for segid, offset, seg_reader in self.segments:
            skey = (segid, offset, fieldname, text)
            got = _segment_cache.scores.get(skey)
            if got is None:
                got = self._segment_scores(seg_reader, offset, fieldname, text, avglen)
                _segment_cache.put(_segment_cache.scores, skey, got)
            if got:
                if out:
                    out.update(got)
                else:
                    out = dict(got)
        self._remember(self.score_cache, key, out)
        return out

    def _segment_scores(self, seg_reader, offset, fieldname, text, avglen) -> dict:
        ids, weights = _leaf_postings(seg_reader, fieldname, text)
        if not ids:
            return {}
        lkey = (seg_reader.segment().segment_id(), fieldname)
        lengths = _segment_cache.lengths.get(lkey)
        if lengths is None:
            lengths = _length_bytes(seg_reader, fieldname)
            _segment_cache.put(_segment_cache.lengths, lkey, lengths)
        from whoosh.util.numeric import byte_to_length
        norm = [K1 * ((1 - B) + B * byte_to_length(b) / avglen) for b in range(256)]
        nlen = len(lengths)
        k1p = K1 + 1
        return {i + offset: tf * k1p / (tf + norm[lengths[i] if i < nlen else 0]) for i, tf in zip(ids, weights)}

    def idf(self, fieldname: str, text: str) -> float:
        import math
        df = len(self.term(fieldname, text))
        return math.log(self.doc_count / (df + 1)) + 1 if self.doc_count else 1.0

    def rank(self, node, final: frozenset, want: int) -> list[tuple[int, float]]:
        """The `want` best documents of `final` by BM25F summed over the query's terms."""
        weights: dict[tuple[str, str], float] = {}
        for leaf in _leaves(node):
            key = (leaf.field, leaf.text)
            weights[key] = max(weights.get(key, 0.0), leaf.boost)
        acc = dict.fromkeys(final, 0.0)
        n = len(final)
        for (fieldname, text), boost in weights.items():
            sd = self.term_scores(fieldname, text)
            if not sd:
                continue
            w = boost * self.idf(fieldname, text)
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
        pub = self.column("published")
        best = heapq.nlargest(want, acc.items(), key=lambda kv: (kv[1], pub[kv[0]]))
        return best

    # values and columns -------------------------------------------------------------------------

    def values(self, fieldname: str) -> list[str]:
        return [t.decode("utf-8") if isinstance(t, bytes) else t for t in self.reader.lexicon(fieldname)]

    def column(self, fieldname: str) -> list:
        col = self._columns.get(fieldname)
        if col is None:
            col = list(self.reader.column_reader(fieldname))
            self._columns[fieldname] = col
        return col


def _leaves(node):
    if isinstance(node, Term):
        yield node
    elif isinstance(node, (And, Or)):
        for item in node.items:
            yield from _leaves(item)


# -- searching ------------------------------------------------------------------------------------

@dataclass
class Hit:
    docnum: int
    score: float
    fields: dict


@dataclass
class Outcome:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    parsed: Parsed


def filter_set(ds: DocSets, filters: dict, skip: str | None = None) -> frozenset | None:
    out = None
    for name in FILTER_FIELDS:
        value = filters.get(name)
        if value in (None, "") or name == skip:
            continue
        s = ds.term(name, str(value))
        out = s if out is None else (out & s)
    return out


def run(ds: DocSets, parsed: Parsed, filters: dict, sort: str = "relevance", offset: int = 0,
        limit: int = 20, facets: bool = True) -> Outcome:
    matched = ds.evaluate(parsed.tree)
    fset = filter_set(ds, filters)
    final = matched if fset is None else (matched & fset)
    facet_counts: dict[str, dict[str, int]] = {}
    if facets:
        for name in FACETS:
            # counts for other values of this facet keep the other filters (multi-select style)
            base = matched
            other = filter_set(ds, filters, skip=name)
            if other is not None:
                base = base & other
            counts = {}
            for value in ds.values(name):
                n = len(base & ds.term(name, value)) if base else 0
                if n:
                    counts[value] = n
            facet_counts[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    want = offset + limit
    hits: list[Hit] = []
    if final and want > 0:
        if sort == "relevance" and parsed.tree is not None:
            pairs = ds.rank(parsed.tree, final, want)[offset:want]
        else:
            if sort == "price":
                col = ds.column("price")
                docs = heapq.nsmallest(want, final, key=lambda d: (col[d], -d))
            else:  # newest (also relevance of an empty query)
                col = ds.column("published")
                docs = heapq.nlargest(want, final, key=lambda d: (col[d], d))
            pairs = [(d, 0.0) for d in docs[offset:want]]
        stored = ds.searcher.stored_fields
        hits = [Hit(d, score, stored(d)) for d, score in pairs]
    return Outcome(len(final), hits, facet_counts, parsed)


def suggest(ds: DocSets, prefix: str, limit: int = 8) -> list[dict]:
    """Titles for autocomplete: every typed word matches a title word, the last one as a prefix."""
    words = analysis.query_words(prefix)[:MAX_WORDS]
    if not words:
        return []
    sets = []
    for i, (kind, word) in enumerate(words):
        last = i == len(words) - 1
        if kind == "han":
            grams = analysis.query_ngrams(word) or [word]
            s = None
            for g in dict.fromkeys(grams):
                t = ds.term("ngram", g)
                s = t if s is None else (s & t)
        elif last:
            s = frozenset()
            for term in _prefix_terms(ds, "title", word, 50):
                s = s | ds.term("title", term)
        else:
            s = ds.term("title", word)
        sets.append(s or frozenset())
    found = sets[0]
    for s in sets[1:]:
        found = found & s
    if not found:
        return []
    # shortest titles first (closest to what was typed), newest among equals
    stored = ds.searcher.stored_fields
    col = ds.column("published")
    picked = heapq.nlargest(min(len(found), 400), found, key=lambda d: (col[d], d))
    rows = [stored(d) for d in picked]
    rows.sort(key=lambda f: (len(f.get("title", "")), f.get("title", "")))
    out, seen = [], set()
    for f in rows:
        if f["title"] in seen:
            continue
        seen.add(f["title"])
        out.append(f)
        if len(out) >= limit:
            break
    return out


def _prefix_terms(ds: DocSets, fieldname: str, prefix: str, limit: int) -> list[str]:
    out = []
    try:
        for t in ds.reader.expand_prefix(fieldname, prefix):
            out.append(t.decode("utf-8") if isinstance(t, bytes) else t)
            if len(out) >= limit:
                break
    except Exception:
        pass
    return out


def similar_terms(ds: DocSets, words: Iterable[str], limit: int = 5) -> list[str]:
    """Index words close to the query's Latin words (typos in model numbers, abbreviations)."""
    out: list[str] = []
    for word in words:
        if analysis.has_han(word) or len(word) < 3:
            continue
        for fieldname in ("title", "content"):
            try:
                cands = ds.searcher.suggest(fieldname, analysis.normalize(word), limit=limit, maxdist=2, prefix=1)
            except Exception:
                cands = []
            for c in cands:
                if c != word and c not in out:
                    out.append(c)
            if out:
                break
    return out[:limit]


def similar_titles(ds: DocSets, q: str, limit: int = 5) -> list[dict]:
    """Titles sharing the most character bigrams with the query (for 'did you mean')."""
    grams = []
    for kind, word in analysis.query_words(q)[:MAX_WORDS]:
        if kind == "han":
            grams.extend(analysis.query_ngrams(word))
    grams = list(dict.fromkeys(g for g in grams if len(g) == 2))[:24]
    if not grams:
        return []
    scores: dict[int, int] = {}
    for g in grams:
        for d in ds.term("ngram", g):
            scores[d] = scores.get(d, 0) + 1
    if not scores:
        return []
    need = max(1, len(grams) // 2)
    best = heapq.nlargest(limit * 4, ((n, d) for d, n in scores.items() if n >= need))
    out, seen = [], set()
    for _n, d in best:
        f = ds.searcher.stored_fields(d)
        if f["title"] not in seen:
            seen.add(f["title"])
            out.append(f)
        if len(out) >= limit:
            break
    return out


# -- highlighting ---------------------------------------------------------------------------------

def _mark_regex(marks: Iterable[str]):
    forms = sorted({m for m in marks if m and m not in analysis.STOPWORDS}, key=len, reverse=True)[:60]
    if not forms:
        return None
    def pattern(form):
        # Latin words match whole words only (TEM, not the TEM in STEM)
        head = r"(?<![A-Za-z0-9])" if form[0].isascii() and form[0].isalnum() else ""
        tail = r"(?![A-Za-z0-9])" if form[-1].isascii() and form[-1].isalnum() else ""
        return head + re.escape(form) + tail
    return re.compile("|".join(pattern(f) for f in forms), re.IGNORECASE)


def highlight(text: str, marks: Iterable[str] | re.Pattern | None, width: int = 120) -> Markup:
    """An HTML-safe excerpt of text around the first match, matches wrapped in <mark>."""
    text = " ".join((text or "").split())
    rx = marks if isinstance(marks, re.Pattern) or marks is None else _mark_regex(marks)
    if rx is None:
        return Markup(escape(text[:width] + ("…" if len(text) > width else "")))
    first = rx.search(text)
    if first is None:
        start = 0
    else:
        start = max(0, first.start() - width // 4)
    end = min(len(text), start + width)
    piece = text[start:end]
    out = ["…" if start > 0 else ""]
    pos = 0
    for m in rx.finditer(piece):
        out.append(str(escape(piece[pos:m.start()])))
        out.append("<mark>" + str(escape(m.group(0))) + "</mark>")
        pos = m.end()
    out.append(str(escape(piece[pos:])))
    if end < len(text):
        out.append("…")
    return Markup("".join(out))


def mark_regex(parsed: Parsed):
    return _mark_regex(parsed.marks)
