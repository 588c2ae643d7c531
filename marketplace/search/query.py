"""Queries: built from our own tokens (never Whoosh's query parser), matched, faceted, highlighted.
How a query string becomes a tree and how it matches: see parse.py.

The parts, by concern: parse.py (the tree), docsets.py (posting sets and scores, over
whoosh_adapter.py), ranking.py (run: filters, facets, sort, page), suggest.py (autocomplete and the
empty state), highlight.py (snippets). This module is their public face.
"""
from .docsets import CACHE_POSTINGS, DocSets, _segment_cache
from .highlight import highlight, mark_regex
from .parse import (
                    CONTENT_BOOST,
                    FACETS,
                    FILTER_FIELDS,
                    MAX_TERMS_PER_WORD,
                    MAX_WORDS,
                    NGRAM_BOOST,
                    SORTS,
                    SYNONYM_FACTOR,
                    TITLE_BOOST,
                    And,
                    Or,
                    Parsed,
                    Term,
                    broader,
                    parse,
                    partial,
                    to_whoosh,
)
from .ranking import Hit, Outcome, filter_set, run
from .suggest import similar_terms, similar_titles, suggest

__all__ = ["CACHE_POSTINGS", "CONTENT_BOOST", "FACETS", "FILTER_FIELDS", "MAX_TERMS_PER_WORD", "MAX_WORDS",
           "NGRAM_BOOST", "SORTS", "SYNONYM_FACTOR", "TITLE_BOOST", "And", "DocSets", "Hit", "Or", "Outcome",
           "Parsed", "Term", "_segment_cache", "broader", "partial", "filter_set", "highlight", "mark_regex", "parse",
           "run", "similar_terms", "similar_titles", "suggest", "to_whoosh"]
