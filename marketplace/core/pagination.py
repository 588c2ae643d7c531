"""Pagination parameters shared by pages and the API."""
from flask import current_app
from flask_babel import gettext as _

from .errors import Invalid


def page_args(args) -> tuple[int, int]:
    """Read page and per_page from request args; raise Invalid on nonsense."""
    out = []
    for name, default in (("page", 1), ("per_page", current_app.config["PER_PAGE"])):
        raw = args.get(name, default)
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise Invalid.field(name, _("%(name)s 必须是正整数", name=name)) from None
        if value < 1 or value > 1_000_000:
            raise Invalid.field(name, _("%(name)s 超出范围", name=name))
        out.append(value)
    page, per_page = out
    return page, min(per_page, current_app.config["MAX_PER_PAGE"])
