"""In-app notifications with an e-mail copy sent after commit."""


def init_app(app):
    from flask_login import current_user

    from . import models  # noqa: F401
    from .routes import bp

    app.register_blueprint(bp)

    @app.context_processor
    def _unread_notifications():
        # base.html shows the count next to the "通知" link.
        if not current_user or not current_user.is_authenticated:
            return {"unread_notifications": 0}
        from .services import unread_count
        return {"unread_notifications": unread_count(current_user)}
