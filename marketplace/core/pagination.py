"""Pagination parameters of the pages (the API declares its own in its schemas).

A page number in a URL is something people edit and keep: `?page=abc`, `?page=-1` show the first
page and `?page=999` the last one (never a 404, an error or an empty page). `page_args` marks the
request so that `db.paginate` (see extensions.py) clamps a page past the end to the last page.
"""
from flask import current_app, g, has_request_context
from flask_babel import gettext as _

from .errors import Invalid

MAX_PAGE = 1_000_000


def page_number(raw) -> int:
    """A page number from text: anything that is not a positive whole number is page 1."""
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return 1
    return min(max(value, 1), MAX_PAGE)


def page_args(args) -> tuple[int, int]:
    """Read page (forgiving, see above) and per_page (a clear error on nonsense) from request args."""
    page = page_number(args.get("page", 1))
    raw = args.get("per_page", current_app.config["PER_PAGE"])
    try:
        per_page = int(raw)
    except (TypeError, ValueError):
        raise Invalid.field("per_page", _("%(name)s 必须是正整数", name="per_page")) from None
    if per_page < 1 or per_page > MAX_PAGE:
        raise Invalid.field("per_page", _("%(name)s 超出范围", name="per_page"))
    if has_request_context():
        g.clamp_page = True
    return page, min(per_page, current_app.config["MAX_PER_PAGE"])


def clamp_requested() -> bool:
    return has_request_context() and bool(g.get("clamp_page"))


def last_page(total: int, per_page: int) -> int:
    return max(1, (total + per_page - 1) // per_page)


class PageView:
    """The little a page list needs, for lists that are not a Flask-SQLAlchemy pagination (search)."""

    def __init__(self, page: int, pages: int):
        self.page, self.pages = page, pages
        self.has_prev, self.has_next = page > 1, page < pages
        self.prev_num, self.next_num = page - 1, page + 1


class Pages(PageView):
    """A PageView of `total` items, `per_page` a page, the page asked for clamped to the last one."""

    def __init__(self, page: int, per_page: int, total: int):
        pages = last_page(total, per_page)
        super().__init__(min(page, pages), pages)
        self.total, self.per_page = total, per_page


def page_window(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to show: the first, the last and those around the current one; None is a gap.
    page_window(6, 20) == [1, None, 4, 5, 6, 7, 8, None, 20]."""
    page = min(max(page, 1), max(pages, 1))
    shown = {1, pages, *range(page - around, page + around + 1)}
    out: list[int | None] = []
    prev = 0
    for n in sorted(n for n in shown if 1 <= n <= pages):
        if n - prev == 2:
            out.append(n - 1)  # a gap of one page: show the number, not "…"
        elif n - prev > 2:
            out.append(None)
        out.append(n)
        prev = n
    return out


def page_url(endpoint: str, page: int) -> str:
    """This page's URL (path and query kept) showing page `page`."""
    from flask import request, url_for
    args = request.args.to_dict()
    args["page"] = page
    return url_for(endpoint, **dict(request.view_args or {}, **args))
