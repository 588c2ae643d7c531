"""Cross-cutting pieces: errors, money, time, audit, state machines, database helpers."""


def init_app(app):
    from flask import Blueprint, redirect, request, send_from_directory, session, url_for

    from . import models  # noqa: F401  (registers the audit table)
    from .i18n import tr
    from .money import format_fen
    from .pagination import page_url, page_window
    from .reference import CITIES, ORG_KINDS
    from .timeutil import to_local
    from .uow import unit_of_work
    from .web import locale, safe_next

    app.jinja_env.filters["fen"] = format_fen
    app.jinja_env.filters["city"] = tr  # a city's name in the interface language (南京 → Nanjing)
    from .history import line as history_line
    app.jinja_env.globals.update(page_window=page_window, page_url=page_url, history_line=history_line)
    app.jinja_env.filters["localtime"] = lambda dt: to_local(dt).strftime("%Y-%m-%d %H:%M") if dt else "—"
    app.jinja_env.filters["localdate"] = lambda dt: to_local(dt).strftime("%Y-%m-%d") if dt else "—"

    from flask_login import current_user

    from . import nav as nav_registry

    # Signed-in navigation: every domain adds its links in its init_app (core.nav).
    def nav_links():
        """The header links the signed-in user uses: [NavItem(label, endpoint, badge)]."""
        if not current_user.is_authenticated:
            return []
        return nav_registry.links_for(current_user, app.view_functions)

    def nav_panels(key: str):
        """Sections other domains add to a shared page (core.nav.add_panel): [(template, context)]."""
        return [(template, context()) for template, context in nav_registry.REGISTRY.panels.get(key, [])]

    @app.context_processor
    def _globals():
        views = app.view_functions
        search_url = url_for("search.search_page") if "search.search_page" in views else url_for("catalog.resources")
        return {"CITIES": CITIES, "current_locale": locale(), "nav_links": nav_links, "nav_panels": nav_panels, "search_url": search_url,
                "org_kind_name": lambda k: tr(ORG_KINDS[k]) if k in ORG_KINDS else k, "city_name": tr}

    bp = Blueprint("core", __name__)

    @bp.route("/lang/<code>")
    def set_language(code):
        """Switch the interface language and go back where the user was."""
        if code in app.config["LANGUAGES"]:
            session["lang"] = code
            remember = app.extensions.get("remember_language")  # accounts: the signed-in person's choice
            if remember is not None and current_user.is_authenticated and current_user.language != code:
                with unit_of_work(show=False):
                    remember(code, actor=current_user)
        return redirect(safe_next(request.referrer, url_for("catalog.home")))

    @bp.route("/favicon.ico")
    def favicon():
        """Browsers ask for /favicon.ico whatever the page says; answer with the SVG icon."""
        return send_from_directory(app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)

    from . import health
    health.init_app(app, bp)  # X-Request-ID on every response; /healthz and /readyz
    from . import workbench
    workbench.init_app(app, bp)  # /workbench, the landing page after login
    from flask_babel import lazy_gettext as _l
    nav_registry.add_link(_l("工作台"), "core.workbench", priority=0,
                 badge=lambda user: workbench.total_for(user, app.view_functions))

    app.register_blueprint(bp)
