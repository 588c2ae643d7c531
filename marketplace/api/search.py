"""GET /api/v1/search and /api/v1/search/suggest."""
from ..search import services
from ..search.schemas import SearchQuery, SearchResults, SuggestAnswer, SuggestQuery
from .spec import endpoint


@endpoint("/search", query=SearchQuery, answer=SearchResults, errors=(400, 422), tags=["search"])
def search(query: SearchQuery):
    """Full-text search over every published resource (Chinese, synonyms, model numbers)."""
    args = services.parse_args(query.model_dump(exclude_none=True))
    return SearchResults.model_validate(services.search(args))


@endpoint("/search/suggest", query=SuggestQuery, answer=SuggestAnswer, tags=["search"])
def search_suggest(query: SuggestQuery):
    """Title autocomplete."""
    return SuggestAnswer(q=query.q[:200], items=services.suggest(query.q))
