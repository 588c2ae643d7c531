"""The ten resource types, listings and their moderation, and the six platforms' pages."""


def init_app(app):
    from ..core.web import locale
    from . import models  # noqa: F401
    from .routes import bp
    from .types import PLATFORMS, RESOURCE_TYPES, STATUSES

    @app.context_processor
    def _catalog_globals():
        loc = locale()
        return {
            "RESOURCE_TYPES": RESOURCE_TYPES, "PLATFORMS": PLATFORMS,
            "type_name": lambda key: RESOURCE_TYPES[key].name(loc) if key in RESOURCE_TYPES else key,
            "platform_name": lambda key: PLATFORMS[key][1 if loc == "en" else 0] if key in PLATFORMS else key,
            "status_name": lambda key: STATUSES.get(key, (key, key))[1 if loc == "en" else 0],
        }

    app.register_blueprint(bp)
