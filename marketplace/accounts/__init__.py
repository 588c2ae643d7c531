"""Users, organisations, roles, login and personal API tokens."""


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from ..extensions import db, login_manager
    from . import models
    from .routes import bp

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("请先登录")

    @login_manager.user_loader
    def _load_user(user_id):
        try:
            user = db.session.get(models.User, int(user_id))
        except (TypeError, ValueError):
            return None
        return user if user and user.active else None

    app.register_blueprint(bp)
