"""Cross-cutting pieces: errors, money, time, audit, state machines, database helpers."""


def init_app(app):
    from flask import Blueprint, redirect, request, session, url_for

    from . import models  # noqa: F401  (registers the audit table)
    from .i18n import tr
    from .money import format_fen
    from .reference import CITIES, ORG_KINDS
    from .timeutil import to_local
    from .web import locale, safe_next

    app.jinja_env.filters["fen"] = format_fen
    app.jinja_env.filters["localtime"] = lambda dt: to_local(dt).strftime("%Y-%m-%d %H:%M") if dt else "—"
    app.jinja_env.filters["localdate"] = lambda dt: to_local(dt).strftime("%Y-%m-%d") if dt else "—"

    from flask_babel import lazy_gettext as _l
    from flask_login import current_user

    from . import nav as nav_registry

    # Signed-in navigation: (label, endpoint, who may see it). Links to absent packages are hidden.
    for label, endpoint, who in [
        (_l("我的资源"), "catalog.mine", lambda u: u.organisation_id),
        (_l("发布资源"), "catalog.choose_type", lambda u: u.organisation_id),
        (_l("我的预约"), "booking.my_bookings", lambda u: True),
        (_l("预约审批"), "booking.queue", lambda u: u.organisation_id),
        (_l("资源审核"), "catalog.review", lambda u: u.has_role("reviewer")),
        (_l("补贴与结算"), "subsidy.dashboard", lambda u: u.has_role("finance")),
        (_l("向单位付款"), "subsidy.payouts", lambda u: u.has_role("finance")),
        (_l("API 令牌"), "accounts.tokens", lambda u: True),
    ]:
        nav_registry.add_link(label, endpoint, who)

    def nav_links():
        views = app.view_functions
        return [(label, ep) for label, ep, who in nav_registry.REGISTRY.links
                if ep in views and who(current_user)]

    @app.context_processor
    def _globals():
        views = app.view_functions
        search_url = url_for("search.search_page") if "search.search_page" in views else url_for("catalog.resources")
        return {"CITIES": CITIES, "current_locale": locale(), "nav_links": nav_links, "search_url": search_url,
                "nav_badge": lambda endpoint: nav_registry.badge(endpoint, current_user),
                "org_kind_name": lambda k: tr(ORG_KINDS[k][0]) if k in ORG_KINDS else k, "city_name": tr}

    bp = Blueprint("core", __name__)

    @bp.route("/lang/<code>")
    def set_language(code):
        """Switch the interface language and go back where the user was."""
        if code in app.config["LANGUAGES"]:
            session["lang"] = code
        return redirect(safe_next(request.referrer, url_for("catalog.home")))

    from . import health
    health.init_app(app, bp)  # X-Request-ID on every response; /healthz and /readyz

    app.register_blueprint(bp)
