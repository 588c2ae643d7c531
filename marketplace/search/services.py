"""Search as the pages and the API use it: validate arguments, query, shape the answer."""
from __future__ import annotations

import logging
import time

from flask import current_app
from flask_babel import gettext as _

from ..catalog.services import filter_args
from ..catalog.types import PLATFORMS, RESOURCE_TYPES
from ..core.errors import DomainError, Invalid
from ..core.i18n import tr
from ..core.pagination import last_page
from ..core.reference import CITIES
from . import query as Q
from .documents import KINDS, register_defaults
from .schema import ORIGIN_NAMES, ORIGINS

log = logging.getLogger("marketplace.search")


class BadQuery(DomainError):
    """A query the search cannot run (too long for SEARCH_MAX_QUERY_CHARS): a 422 on its field, as the
    API's own schema answers it."""

    status = 422
    title = "Invalid input"


def index():
    return current_app.extensions["search"]


def parse_args(args, clamp: bool = False) -> dict:
    """Search arguments from a request's query string; unknown values are clear errors.

    With `clamp` (the search page) a page past the searchable window is its last page, not an error.
    """
    q = args.get("q", "") or ""
    limit = current_app.config["SEARCH_MAX_QUERY_CHARS"]
    if len(q) > limit:
        raise BadQuery(_("搜索词过长（最多 %(n)s 个字符）", n=limit),
                       {"q": [_("最多 %(n)s 个字符", n=limit)]})
    if "\x00" in q:
        q = q.replace("\x00", " ")
    out = {"q": q.strip()}
    filters = filter_args(args, extra_types=KINDS)
    if filters["org"] is not None:
        filters["org"] = str(filters["org"])  # the index stores ids as text
    origin = args.get("origin") or None
    if origin is not None and origin not in ORIGINS:
        raise Invalid.field("origin", _("未知的来源"))
    filters["origin"] = origin
    sort = args.get("sort") or "relevance"
    if sort not in Q.SORTS:
        raise Invalid.field("sort", _("sort 应为 relevance、newest 或 price"))
    page, per_page = _page_args(args)
    window = current_app.config["SEARCH_MAX_WINDOW"]
    if page * per_page > window:
        if not clamp:
            raise Invalid.field("page", _("页码过大，请缩小搜索范围"))
        page = max(1, window // per_page)
    out.update(filters, sort=sort, page=page, per_page=per_page, clamp=clamp)
    return out


def _page_args(args):
    from ..core.pagination import page_args
    return page_args(args)


def _with_index(fn):
    """Run fn(docsets); if the index itself fails, recover it (rebuild if damaged) and retry once."""
    svc = index()
    try:
        return fn(svc.docsets())
    except DomainError:
        raise
    except Exception as err:
        svc.recover(err)
    try:
        return fn(svc.docsets())
    except DomainError:
        raise
    except Exception as err:
        log.warning("search index still failing after reopening (%s); rebuilding it", err)
        svc.force_rebuild()
        return fn(svc.docsets())


def search(args: dict) -> dict:
    """Run a search; returns {total, items, facets, suggestions, took_ms, …} (items carry HTML snippets)."""
    started = time.perf_counter()
    parsed = Q.parse(args["q"])
    filters = {k: args.get(k) for k in Q.FILTER_FIELDS}
    page, per_page = args["page"], args["per_page"]
    sort = args["sort"]

    def go(ds):
        out = Q.run(ds, parsed, filters, sort=sort, offset=(page - 1) * per_page, limit=per_page)
        return ds, out

    ds, outcome = _with_index(go)
    partial, strict = False, parsed
    words = len(parsed.tree.items) if isinstance(parsed.tree, Q.And) else 1
    for keep in range(words - 1, 0, -1) if outcome.total == 0 else ():
        # nothing has every word: show what has the most of them (all but one, …), and say so
        parsed = Q.partial(strict, keep)
        ds, outcome = _with_index(go)
        if outcome.total:
            partial = True
            break
    if not partial and parsed is not strict:  # nothing at all: the empty state speaks of the query as typed
        parsed = strict
        ds, outcome = _with_index(go)
    if args.get("clamp") and outcome.total and (page - 1) * per_page >= outcome.total:  # the last page
        page = last_page(outcome.total, per_page)
        ds, outcome = _with_index(go)
    rx = Q.mark_regex(parsed)
    items = []
    for hit in outcome.hits:
        f = hit.fields
        kind = KINDS.get(f.get("kind"))
        items.append({
            "id": f["id"],
            "kind": f.get("kind"),
            "type": f.get("type"),
            "title": f.get("title", ""),
            "title_html": Q.highlight(f.get("title", ""), rx, width=200),
            "snippet": Q.highlight(f.get("body", ""), rx),
            "url": kind.url(f["id"]) if kind else "",
            "score": round(float(hit.score), 4),
            "city": f.get("city"),
            "origin": f.get("origin") or "local",
            "platforms": list(f.get("platform") or []),
            "price": f.get("price_fen"),
            "price_unit": f.get("price_unit"),
        })
    result = {
        "q": args["q"], "total": outcome.total, "page": page, "per_page": per_page, "sort": sort,
        "items": items, "facets": outcome.facets, "filters": {k: v for k, v in filters.items() if v},
        "partial": partial,
    }
    if outcome.total == 0:
        result["suggestions"] = empty_state(ds, parsed, args, filters)
    result["took_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def empty_state(ds, parsed: Q.Parsed, args: dict, filters: dict) -> dict:
    """What to try when nothing matched: without filters, any word, similar titles or terms."""
    out: dict = {"without_filters": None, "any_word": None, "titles": [], "terms": []}
    if any(filters.values()):
        n = len(ds.evaluate(parsed.tree))
        if n:
            out["without_filters"] = n
    wider = Q.broader(parsed)
    if wider is not None:
        n = len(ds.evaluate(wider.tree))
        if n:
            out["any_word"] = n
    if parsed.tree is not None:
        kind_url = {name: k.url for name, k in KINDS.items()}
        out["titles"] = [{"id": f["id"], "type": f.get("type"), "title": f["title"],
                          "url": kind_url[f["kind"]](f["id"]) if f.get("kind") in kind_url else ""}
                         for f in Q.similar_titles(ds, args["q"])]
        out["terms"] = Q.similar_terms(ds, parsed.words)
    return out


def suggest(prefix: str, limit: int = 8) -> list[dict]:
    prefix = (prefix or "")[:current_app.config["SEARCH_MAX_SUGGEST_CHARS"]].strip()
    if not prefix:
        return []
    rows = _with_index(lambda ds: Q.suggest(ds, prefix, limit=limit))
    return [{"id": f["id"], "type": f.get("type"), "title": f["title"],
             "url": KINDS[f["kind"]].url(f["id"]) if f.get("kind") in KINDS else ""} for f in rows]


def facet_labels(locale: str = "zh") -> dict:
    """Display names of facet values."""
    return {
        "type": {**{k: kind.label() for k, kind in KINDS.items() if kind.label},
                 **{k: t.name() for k, t in RESOURCE_TYPES.items()}},
        "platform": {k: tr(v[0]) for k, v in PLATFORMS.items()},
        "city": {k: tr(k) for k in CITIES},
        "origin": {k: tr(v) for k, v in ORIGIN_NAMES.items()},
    }


register_defaults()


def prune_feed() -> int:
    """Delete change-log rows every index has applied (or past retention): the scheduler's hourly job."""
    return current_app.extensions["search"].prune()
