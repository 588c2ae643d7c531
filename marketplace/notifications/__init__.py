"""In-app notifications with an e-mail copy sent after commit."""


def init_app(app):
    from . import models  # noqa: F401
