"""The open catalogue and federation (长三角科技资源共享平台, the national platform): persistent
identifiers resolved at /cstr/…, OAI-PMH 2.0 at /oai, DCAT at /catalog.jsonld, and harvesting the
partner platforms' catalogues into our search (`flask federation harvest`)."""


def init_app(app):
    from . import models  # noqa: F401  (registers the tables)
    from .routes import bp

    app.register_blueprint(bp)

