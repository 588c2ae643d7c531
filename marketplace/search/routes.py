"""The search page."""
from flask import Blueprint, current_app, render_template, request, url_for

from ..catalog.services import thumbnail_ids
from ..core.errors import DomainError
from ..core.pagination import PageView, last_page
from ..core.web import locale
from . import services

bp = Blueprint("search", __name__)


@bp.get("/search")
def search_page():
    error, result, args = None, None, {"q": "", "sort": "relevance"}
    status = 200
    try:
        args = services.parse_args(request.args, clamp=True)
        result = services.search(args)
        pages = min(last_page(result["total"], result["per_page"]),
                    max(1, current_app.config["SEARCH_MAX_WINDOW"] // result["per_page"]))
        result["pagination"] = PageView(result["page"], pages)
        # the hits' thumbnails in one query, not one per card
        thumbnail_ids([i["id"] for i in result["items"] if i.get("kind") in (None, "resource")])
    except DomainError as err:
        error, status = err, err.status
        args.setdefault("q", (request.args.get("q") or "")[:200])
    return render_template("search/search.html", result=result, args=args, error=error,
                           labels=services.facet_labels(locale())), status


def search_link(args, **changes) -> str:
    """The search URL for these arguments with some changed (a changed filter resets the page)."""
    params = {k: args.get(k) for k in ("q", "type", "platform", "city", "org", "origin", "sort")}
    if params.get("sort") == "relevance":
        params["sort"] = None
    params.update(changes)
    return url_for("search.search_page", **{k: v for k, v in params.items() if v not in (None, "")})


@bp.context_processor
def _search_helpers():
    return {"search_link": search_link}
