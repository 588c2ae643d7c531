"""The JSON API at /api/v1, over the same services as the web pages.

Each domain adds its endpoints in a module of this package named after it (api/booking.py for booking), declared once with `api.spec.endpoint`
and the pydantic schemas of its `schemas.py`; /api/v1/openapi.json is generated from them.
"""
import importlib

import sqlalchemy as sa
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

API_MODULES = ["spec", "catalog", "search", "booking", "subsidy", "payments", "census", "uploads", "filing",
               "registration", "events", "requests", "trading", "verification", "federation", "core", "accounts", "billing", "auctions"]


def loaded_modules():
    return [importlib.import_module(f"{__name__}.{name}") for name in API_MODULES]


def uses_api(user) -> bool:
    """Personal API tokens serve brokers (deals through the API), providers (listings) and staff; a
    user who already made one keeps the link."""
    from ..accounts.models import ApiToken
    from ..catalog.nav import approves_bookings
    from ..core import nav
    from ..extensions import db
    from ..trading.services.brokers import is_broker
    return (bool(user.roles) or approves_bookings(user) or nav.remember("broker", user, lambda: is_broker(user))
            or nav.remember("token", user, lambda: db.session.scalar(
                sa.select(ApiToken.id).where(ApiToken.user_id == user.id).limit(1)) is not None))


def init_app(app):
    from ..extensions import csrf
    from . import common  # noqa: F401  (auth hooks)

    loaded_modules()
    # CSRF for cookie-authenticated API calls is checked in common.authenticate (X-CSRFToken);
    # bearer-token calls carry no ambient credentials.
    csrf.exempt(bp)
    app.register_blueprint(bp)
    from flask_babel import lazy_gettext as _l

    from ..core import nav
    nav.add_link(_l("API 令牌"), "accounts.tokens", uses_api, priority=90)
