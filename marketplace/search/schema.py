"""The Whoosh schema: one index for every kind of searchable document.

Text fields are indexed from token lists we cut ourselves (analysis.tokens / analysis.ngrams), so
indexing skips Whoosh's per-token analyzer objects; the analyzer is still declared so the schema is
complete. Fields without positions (phrase=False) keep the index small and the build fast.
"""
from collections import Counter

from whoosh import columns, fields
from whoosh.system import pack_uint

from ..core.i18n import N_
from .analysis import HubTokenizer


class CutText(fields.TEXT):
    """TEXT whose value may be a list of terms we cut ourselves: counted in one C-level pass
    instead of one Whoosh Token object per word (the analyzer still serves string values)."""

    def index(self, value, **kwargs):
        if not isinstance(value, (list, tuple)):
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        return [(w.encode("utf-8"), n, n * boost, pack_uint(n)) for w, n in Counter(value).items()]

# Bump when the schema or the analysis changes: an index of another version is rebuilt.
SCHEMA_VERSION = 5

# Sort keys. Missing prices sort after every real price.
PRICE_MISSING = 2**62
# Prices of different units are never compared: sorting by price lists per-hour prices, then
# per-sample prices, then whole prices (an achievement's asking price, a demand's budget).
PRICE_UNIT_RANK = {"hour": 0, "sample": 1}
PRICE_UNIT_OTHER = 2
# Where a document comes from: this hub ("local") or a partner platform (federation), by region.
ORIGIN_NAMES = {"local": N_("本平台"), "shanghai": N_("上海"), "zhejiang": N_("浙江"), "anhui": N_("安徽"),
                "national": N_("国家平台"), "other": N_("其他平台")}
ORIGINS = tuple(ORIGIN_NAMES)


def make_schema() -> fields.Schema:
    words = HubTokenizer("words")
    return fields.Schema(
        key=fields.ID(unique=True, stored=True),         # "<kind>:<id>"
        kind=fields.ID(stored=True),                      # resource | demand | firm …
        id=fields.STORED,
        type=fields.ID(stored=True),                      # resource type (or the kind for others)
        platform=fields.KEYWORD(stored=True, commas=True),
        city=fields.ID(stored=True),
        origin=fields.ID(stored=True),                    # ORIGINS
        org=fields.ID(stored=True),
        title=CutText(analyzer=words, phrase=False, stored=True),
        ngram=CutText(analyzer=HubTokenizer("ngrams"), phrase=False),  # title bigrams
        content=CutText(analyzer=words, phrase=False),
        body=fields.STORED,                               # text for snippets
        # sort keys: columns only (not indexed as terms: no range queries needed)
        price=fields.COLUMN(columns.NumericColumn("Q", default=PRICE_MISSING)),
        published=fields.COLUMN(columns.NumericColumn("Q", default=0)),
        price_rank=fields.COLUMN(columns.NumericColumn("i", default=PRICE_UNIT_OTHER)),  # see PRICE_UNIT_RANK
        price_fen=fields.STORED,                          # shown in results (None: negotiable/none)
        price_unit=fields.STORED,                         # hour | sample | None (a whole price)
        version=fields.STORED,                            # what `search check` compares
        schema_version=fields.STORED,
    )
