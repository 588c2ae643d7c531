"""The open catalogue and federation (长三角科技资源共享平台, the national platform): persistent
identifiers resolved at /cstr/…, OAI-PMH 2.0 at /oai, DCAT at /catalog.jsonld, and harvesting the
partner platforms' catalogues into our search (`flask federation harvest`, the scheduler's
`federation-harvest`, staff pages at /federation/partners)."""


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from ..core import nav
    from . import models  # noqa: F401  (registers the tables)
    from .cli import register
    from .routes import bp
    from .search import register_kind

    app.register_blueprint(bp)
    register(app)
    register_kind()
    nav.add_link(_l("合作平台"), "federation.partners", who=nav.has_role("admin"))
