"""The ten resource types, listings and their moderation, and the six platforms' pages."""


def init_app(app):
    from ..core.i18n import tr
    from . import models  # noqa: F401
    from .routes import bp
    from .types import PLATFORMS, RESOURCE_TYPES, STATUSES

    @app.context_processor
    def _catalog_globals():
        return {
            "RESOURCE_TYPES": RESOURCE_TYPES, "PLATFORMS": PLATFORMS,
            "type_name": lambda key: RESOURCE_TYPES[key].name() if key in RESOURCE_TYPES else key,
            "platform_name": lambda key: tr(PLATFORMS[key][0]) if key in PLATFORMS else key,
            "platform_description": lambda key: tr(PLATFORMS[key][2]) if key in PLATFORMS else "",
            "status_name": lambda key: tr(STATUSES[key][0]) if key in STATUSES else key,
        }

    app.register_blueprint(bp)
