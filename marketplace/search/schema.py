"""The Whoosh schema: one index for every kind of searchable document.

Text fields are indexed from token lists we cut ourselves (analysis.tokens / analysis.ngrams), so
indexing skips Whoosh's per-token analyzer objects; the analyzer is still declared so the schema is
complete. Fields without positions (phrase=False) keep the index small and the build fast.
"""
from whoosh import fields

from .analysis import HubTokenizer

# Bump when the schema or the analysis changes: an index of another version is rebuilt.
SCHEMA_VERSION = 1

# Sort keys. Missing prices sort after every real price.
PRICE_MISSING = 2**62


def make_schema() -> fields.Schema:
    words = HubTokenizer("words")
    return fields.Schema(
        key=fields.ID(unique=True, stored=True),         # "<kind>:<id>"
        kind=fields.ID(stored=True),                      # resource | demand | firm …
        id=fields.STORED,
        type=fields.ID(stored=True),                      # resource type (or the kind for others)
        platform=fields.KEYWORD(stored=True, commas=True),
        city=fields.ID(stored=True),
        org=fields.ID(stored=True),
        title=fields.TEXT(analyzer=words, phrase=False, stored=True),
        ngram=fields.TEXT(analyzer=HubTokenizer("ngrams"), phrase=False),  # title/tags 1- and 2-grams
        content=fields.TEXT(analyzer=words, phrase=False),
        body=fields.STORED,                               # text for snippets
        price=fields.NUMERIC(int, bits=64, signed=False, sortable=True, stored=True),
        published=fields.NUMERIC(int, bits=64, signed=False, sortable=True, stored=True),
        version=fields.STORED,                            # what `search check` compares
        schema_version=fields.STORED,
    )
