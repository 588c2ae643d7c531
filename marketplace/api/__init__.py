"""The JSON API at /api/v1, over the same services as the web pages.

Each domain adds its endpoints in a module of this package (`from . import bp`) and may describe
them in an `OPENAPI_PATHS` dict that /api/v1/openapi.json merges.
"""
import importlib
import importlib.util

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

API_MODULES = ["spec", "resources", "search", "bookings", "subsidy", "payments", "census", "uploads", "filings",
               "registrations", "events", "requests", "trading", "verification"]


def loaded_modules():
    out = []
    for name in API_MODULES:
        if importlib.util.find_spec(f"{__name__}.{name}") is not None:
            out.append(importlib.import_module(f"{__name__}.{name}"))
    return out


def init_app(app):
    from ..extensions import csrf
    from . import common  # noqa: F401  (auth hooks)

    loaded_modules()
    # CSRF for cookie-authenticated API calls is checked in common.authenticate (X-CSRFToken);
    # bearer-token calls carry no ambient credentials.
    csrf.exempt(bp)
    app.register_blueprint(bp)
