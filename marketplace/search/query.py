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
                    to_whoosh,
)
from .ranking import Hit, Outcome, filter_set, run
from .suggest import similar_terms, similar_titles, suggest

__all__ = ["CACHE_POSTINGS", "CONTENT_BOOST", "FACETS", "FILTER_FIELDS", "MAX_TERMS_PER_WORD", "MAX_WORDS",
           "NGRAM_BOOST", "SORTS", "SYNONYM_FACTOR", "TITLE_BOOST", "And", "DocSets", "Hit", "Or", "Outcome",
           "Parsed", "Term", "_segment_cache", "broader", "filter_set", "highlight", "mark_regex", "parse",
           "run", "similar_terms", "similar_titles", "suggest", "to_whoosh"]
