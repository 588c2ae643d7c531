"""Chinese full-text search over the whole hub (Whoosh + jieba).

init_app registers the `search` blueprint (/search), the `flask search` CLI group, and the
session hooks that index committed changes (see hooks.py, index.py).
"""


def init_app(app):
    from . import hooks
    from .cli import search_cli
    from .documents import register_defaults
    from .index import SearchIndex
    from .routes import bp

    register_defaults()
    app.extensions["search"] = SearchIndex(app)
    hooks.install()
    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
