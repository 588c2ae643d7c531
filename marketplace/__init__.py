"""江苏省科技资源统筹服务平台 (Jiangsu science and technology resource hub)."""
import importlib
import logging
import os

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request, session
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from . import config as config_module
from .extensions import babel, csrf, db, login_manager, migrate

# Domain packages, in dependency order (the layers `make lint` checks, see .importlinter): each one's
# init_app(app) registers its blueprints, CLI commands and hooks. Every domain is always present.
DOMAINS = ["core", "notifications", "uploads", "accounts", "catalog", "search", "verification", "ledger",
           "booking", "subsidy", "payments", "census", "filing", "registration", "events", "requests", "trading",
           "billing", "auctions", "federation", "api"]


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True,
                template_folder="../templates", static_folder="../static")
    app.config.update(config_module.load(config))
    _engine_options(app)
    os.makedirs(app.instance_path, exist_ok=True)
    from .core.security import init_security
    init_security(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"),
                     render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: "Asia/Shanghai")

    _register_write_intent(app)
    _register_session_end(app)
    for name in DOMAINS:
        importlib.import_module(f"{__name__}.{name}").init_app(app)
    _register_error_pages(app)

    from .cli import register as register_cli
    register_cli(app)
    # Every domain's models are in: set the mappers up now (about 300 ms, once per process), not inside
    # the first request or job someone waits for.
    sa.orm.configure_mappers()
    for hook in app.extensions.pop("on_ready", ()):  # after every domain is in (e.g. search's warm-up)
        hook(app)
    return app


def _engine_options(app):
    """Connections that survive a database restart: each is tested when taken from the pool
    (pool_pre_ping), so the first request after a restart gets a fresh one instead of an error; a
    database that does not answer fails the connect after DATABASE_CONNECT_TIMEOUT seconds, and a
    request waits at most DATABASE_POOL_TIMEOUT seconds for a free connection (then a 503)."""
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_pre_ping", True)
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", app.config["DATABASE_CONNECT_TIMEOUT"])
        if app.config.get("DATABASE_PGBOUNCER"):
            # pgbouncer in transaction pooling: no server-side prepared statements (psycopg prepares a
            # query after 5 runs on one connection; the next transaction may be on another server).
            connect_args.setdefault("prepare_threshold", None)
        options["connect_args"] = connect_args
        options.setdefault("pool_timeout", app.config["DATABASE_POOL_TIMEOUT"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _select_locale():
    if not has_request_context():  # CLI, jobs, tests calling services: the default language
        return "zh"
    lang = request.args.get("lang") or session.get("lang")
    if lang in ("zh", "en"):
        return lang
    if request.path.startswith("/api/"):  # API clients say their language with Accept-Language
        return request.accept_languages.best_match(["zh", "en"], default="zh")
    return "zh"  # pages: Chinese by default, whatever the browser says


def _register_write_intent(app):
    from .core.db import set_write_intent

    @app.before_request
    def _mark_writes():
        # SQLite: writing requests take the write lock when their transaction begins.
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            g._write_token = set_write_intent(True)

    @app.teardown_request
    def _unmark_writes(exc):
        token = g.pop("_write_token", None)
        if token is not None:
            from .core.db import _write_intent
            _write_intent.reset(token)


def _register_session_end(app):
    """End each request's session before Flask-SQLAlchemy's own teardown (teardowns run last registered
    first). When the database ended the connection after the request's last query (a restart, a
    failover), the closing ROLLBACK fails: the answer is already made, so log it and drop the session;
    the pool has invalidated the connection. Raised from a teardown it would turn the answer into a 500."""

    @app.teardown_appcontext
    def _end_session(exc):
        try:
            db.session.remove()
        except sa.exc.SQLAlchemyError as err:
            app.logger.warning("database connection lost at the end of a request: %s",
                               str(err).splitlines()[0][:300])
            db.session.registry.clear()


def _register_error_pages(app):
    from flask import render_template

    from .core.errors import DomainError
    from .core.web import handle_domain_error, problem, wants_json

    app.register_error_handler(DomainError, handle_domain_error)

    # The database went away (restart, failover, network) or every connection is busy: a 503 with
    # Retry-After, page or problem+json, never a 500. The pool tests connections before use, so
    # requests after the database is back succeed without a restart of the app.
    def _database_unavailable(err):
        from flask import make_response
        from flask_login import AnonymousUserMixin

        from .core.web import retry_after
        app.logger.warning("database unavailable: %s", str(err).splitlines()[0][:300])
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone; the pool drops it
            db.session.remove()
        detail = _("数据库暂时无法连接，请稍后再试")
        if wants_json():
            return retry_after(problem(503, "Service unavailable", detail))
        g._login_user = AnonymousUserMixin()  # drawing the page must not ask the database who is signed in
        try:
            body = render_template("errors/error.html", status=503, title="Service unavailable", detail=detail)
        except Exception:  # noqa: BLE001 - the plainest page rather than a 500
            body = f"<!doctype html><title>503</title><h1>503</h1><p>{detail}</p>"
        return retry_after(make_response(body, 503))

    for error in (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError, sa.exc.DisconnectionError):
        app.register_error_handler(error, _database_unavailable)

    @app.errorhandler(HTTPException)
    def _http_error(err):
        # Keep what the error says in its headers (405's Allow), not its HTML content type.
        headers = [(k, v) for k, v in err.get_headers() if k.lower() != "content-type"]
        if err.code == 503 and not any(k.lower() == "retry-after" for k, _v in headers):
            headers.append(("Retry-After", str(app.config.get("RETRY_AFTER_SECONDS", 10))))
        if wants_json():
            resp = problem(err.code, err.name, err.description)
            resp.headers.extend(headers)
            return resp
        return render_template("errors/error.html", status=err.code, title=err.name,
                               detail=err.description), err.code, headers

    @app.errorhandler(Exception)
    def _unexpected(err):
        app.logger.exception("unhandled error")
        db.session.rollback()
        if wants_json():
            return problem(500, "Internal server error", _("服务器内部错误"))
        return render_template("errors/error.html", status=500, title="Internal server error",
                               detail=_("服务器内部错误，请稍后再试")), 500
