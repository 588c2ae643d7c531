"""The search API's payloads, declared once (parsing, 422 messages, answers and OpenAPI).

The query's limits that depend on configuration (the query's length, the result window) and the
document kinds other domains register stay in `services.parse_args` (400/422 there).
"""
from typing import Annotated, Literal

from pydantic import Field

from ..catalog.schemas import City, PlatformKey
from ..core.schema import MAX_ID, Answer, Schema
from .query import SORTS
from .schema import ORIGINS

MAX_QUERY_CHARS = 500  # the default SEARCH_MAX_QUERY_CHARS; a lower setting is checked by services.parse_args
PageNumber = Annotated[int, Field(ge=1, le=1_000_000)]


class SearchQuery(Schema):
    q: str = Field("", max_length=MAX_QUERY_CHARS,
                   description="words (Chinese, English abbreviations or model numbers); all must match. "
                               "At most SEARCH_MAX_QUERY_CHARS (500) characters, else 422 on q")
    type: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]{0,39}$",
                             description="resource type key (or another registered document kind); "
                                         "an unknown one is 422 on type")
    platform: PlatformKey | None = None
    city: City | None = None
    org: Annotated[int, Field(ge=1, le=MAX_ID)] | None = Field(None, description="organisation id")
    origin: Literal[ORIGINS] | None = Field(None, description="local (this hub) or a partner platform's region")
    sort: Literal[tuple(SORTS)] = "relevance"
    page: PageNumber = 1
    per_page: PageNumber | None = Field(None, description="at most 100 are returned")


class SearchHit(Answer):
    id: int
    kind: str | None
    type: str | None
    title: str
    snippet: str = Field(description="HTML: text escaped, matches wrapped in <mark>")
    url: str
    score: float
    city: str | None
    origin: Literal[ORIGINS] = Field("local", description="local, or the region of the partner platform the "
                                                          "record was harvested from (url is then its page there)")
    platforms: list[str]
    price: int | None = Field(description="fen (instrument external price / achievement asking price)")
    price_unit: Literal["hour", "sample"] | None = Field(
        None, description="what the price is for: an hour, a sample; null: a whole price (or no price)")


class TitleSuggestion(Answer):
    id: int
    type: str | None
    title: str
    url: str


class EmptyState(Answer):
    """What to try when nothing matched."""

    without_filters: int | None = Field(description="matches without the filters")
    any_word: int | None = Field(description="matches of any one word")
    titles: list[TitleSuggestion]
    terms: list[str]


class SearchResults(Answer):
    """Facet counts reflect the query and the other filters (a facet's own filter is not applied to its
    counts). When nothing has every word, the results are those with some of them (`partial` true,
    most words matched first); when nothing matches at all, `suggestions` proposes other searches."""

    q: str
    total: int
    partial: bool = Field(False, description="no result has every word: these have some of them")
    page: int
    per_page: int
    sort: str
    items: list[SearchHit]
    facets: dict[Literal["type", "platform", "city", "origin"], dict[str, int]]
    suggestions: EmptyState | None = None


class SuggestQuery(Schema):
    q: str = Field("", description="the start of a title (longer input is cut to SEARCH_MAX_SUGGEST_CHARS)")


class SuggestAnswer(Answer):
    q: str
    items: list[TitleSuggestion]
