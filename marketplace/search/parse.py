"""Queries, part 1 (see query.py): the query tree, built from our own tokens (never Whoosh's parser).

A query string is split on white space into chunks (consecutive chunks that together are a synonym
form, such as "electron microscope", are one chunk); a chunk that is a synonym form matches any
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

from dataclasses import dataclass, field

from whoosh import query as wq

from . import analysis

TITLE_BOOST = 4.0
CONTENT_BOOST = 1.0
NGRAM_BOOST = 0.6
SYNONYM_FACTOR = 0.8
MAX_WORDS = 12           # words of a query that are used (the rest are ignored)
MAX_TERMS_PER_WORD = 8
MAX_PHRASE_WORDS = 5   # words of the longest synonym form matched as a phrase
FACETS = ("type", "platform", "city", "origin")
FILTER_FIELDS = ("type", "platform", "city", "org", "origin")
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
    for chunk in _phrases((q or "").split()):
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


def _phrases(chunks: list[str]) -> list[str]:
    """Join consecutive chunks that together are a synonym form of several words
    ("electron microscope", "X-ray diffraction"), longest first; other chunks stay as they are."""
    groups = analysis.synonyms()
    out, i = [], 0
    while i < len(chunks):
        for n in range(min(MAX_PHRASE_WORDS, len(chunks) - i), 1, -1):
            phrase = " ".join(chunks[i:i + n])
            if analysis.normalize(phrase).strip() in groups:
                out.append(phrase)
                i += n
                break
        else:
            out.append(chunks[i])
            i += 1
    return out


def partial(parsed: Parsed, keep: int) -> Parsed | None:
    """Documents with at least `keep` of the query's words (any `keep` of them), or None when the query
    has no more than `keep` words. Tried from all-but-one down to one when nothing has every word."""
    if not isinstance(parsed.tree, And) or not 1 <= keep < len(parsed.tree.items):
        return None
    from itertools import combinations
    combos = list(combinations(parsed.tree.items, keep))[:20]
    return Parsed(_or(_and(c) for c in combos), parsed.marks, parsed.words)


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


def leaves(node):
    if isinstance(node, Term):
        yield node
    elif isinstance(node, (And, Or)):
        for item in node.items:
            yield from leaves(item)

