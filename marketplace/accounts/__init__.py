"""Users, organisations, roles, login and personal API tokens."""


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from ..extensions import login_manager
    from . import (
        models,  # noqa: F401  (registers the tables)
        services,
        throttle,
    )
    from .routes import bp

    app.extensions["remember_language"] = services.remember_language  # core's language switch calls it
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("请先登录")

    @login_manager.user_loader
    def _load_user(session_secret):
        # The cookies carry a login session's secret (models.UserSession), never the user id.
        return services.user_for_session(session_secret)

    throttle.init_app(app)

    app.register_blueprint(bp)
