"""GET /api/v1/search and /api/v1/search/suggest."""
from flask import request

from ..search import services
from . import bp

_ITEM_KEYS = ("id", "type", "title", "snippet", "url", "score", "kind", "city", "platforms", "price")


@bp.get("/search")
def search():
    args = services.parse_args(request.args)
    result = services.search(args)
    body = {
        "total": result["total"], "page": result["page"], "per_page": result["per_page"],
        "sort": result["sort"], "q": result["q"],
        "items": [{k: item[k] for k in _ITEM_KEYS} for item in result["items"]],
        "facets": result["facets"],
    }
    if "suggestions" in result:
        body["suggestions"] = result["suggestions"]
    return body


@bp.get("/search/suggest")
def search_suggest():
    q = request.args.get("q", "")
    return {"q": q[:200], "items": services.suggest(q)}


_q = {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 500},
      "description": "搜索词（中文、英文缩写或型号，空格分隔的词都须命中） / words, all must match"}
_str = lambda name, desc, enum=None: {"name": name, "in": "query", "description": desc,  # noqa: E731
                                      "schema": {"type": "string", **({"enum": enum} if enum else {})}}
OPENAPI_PATHS = {
    "/search": {"get": {
        "summary": "Full-text search over every published resource (Chinese, synonyms, model numbers)",
        "description": "Facet counts reflect the query and the other filters (a facet's own filter is "
                       "not applied to its counts). `snippet` is HTML: text is escaped, matches are "
                       "wrapped in <mark>. `price` is fen (instrument external price / achievement "
                       "asking price). When nothing matches, `suggestions` proposes broader searches.",
        "parameters": [
            _q,
            _str("type", "资源类型 / resource type key"),
            _str("platform", "平台 / platform key"),
            _str("city", "城市 / city (中文名)"),
            {"name": "org", "in": "query", "schema": {"type": "integer"}, "description": "单位编号 / organisation id"},
            _str("sort", "排序 / order", ["relevance", "newest", "price"]),
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
        ],
        "responses": {
            "200": {"description": "{total, page, per_page, items: [{id, type, title, snippet, url, score}], "
                                   "facets: {type, platform, city}, suggestions?}"},
            "400": {"$ref": "#/components/responses/400"},
            "422": {"$ref": "#/components/responses/422"},
        },
    }},
    "/search/suggest": {"get": {
        "summary": "Title autocomplete",
        "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "{q, items: [{id, type, title, url}]}"}},
    }},
}
