"""Queries, part 3 (see query.py): run a parsed query with filters, facets, sorting and paging."""
from __future__ import annotations

import heapq
from dataclasses import dataclass

from .docsets import DocSets
from .parse import FACETS, FILTER_FIELDS, Parsed
from .schema import PRICE_MISSING

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
            ds.release_postings()
            if sort == "price":
                # per-hour prices first, then per-sample, then whole prices; no price last
                col, rank = ds.column("price"), ds.column("price_rank")
                docs = heapq.nsmallest(want, final, key=lambda d: (col[d] == PRICE_MISSING, rank[d], col[d], -d))
            else:  # newest (also relevance of an empty query)
                col = ds.column("published")
                docs = heapq.nlargest(want, final, key=lambda d: (col[d], d))
            pairs = [(d, 0.0) for d in docs[offset:want]]
        stored = ds.searcher.stored_fields
        hits = [Hit(d, score, stored(d)) for d, score in pairs]
    return Outcome(len(final), hits, facet_counts, parsed)

