"""The ten resource types, listings and their moderation, and the six platforms' pages."""


def init_app(app):
    from ..core.i18n import tr
    from . import identifiers, models  # noqa: F401
    from .routes import bp
    from .states import REVISION_STATUSES
    from .types import PLATFORMS, RESOURCE_TYPES, STATUSES

    @app.context_processor
    def _catalog_globals():
        return {
            "RESOURCE_TYPES": RESOURCE_TYPES, "PLATFORMS": PLATFORMS,
            "type_name": lambda key: RESOURCE_TYPES[key].name() if key in RESOURCE_TYPES else key,
            "platform_name": lambda key: tr(PLATFORMS[key][0]) if key in PLATFORMS else key,
            "platform_description": lambda key: tr(PLATFORMS[key][1]) if key in PLATFORMS else "",
            "status_name": lambda key: tr(STATUSES[key]) if key in STATUSES else key,
            "revision_status_name": lambda key: REVISION_STATUSES.get(key, key),
            "catalog_thumb": _thumb,
            "earliest_free": _earliest_free,
        }

    def _thumb(resource_id):
        from .services import thumbnail_id
        return thumbnail_id(resource_id) if isinstance(resource_id, int) else None

    def _earliest_free(calendar):
        """The first free slot (UTC start) of a booking week calendar, or None."""
        if not calendar:
            return None
        free = [s for _label, cells in calendar["rows"] for state, s in cells if state == "free"]
        return min(free) if free else None

    from ..core import history as audit_words
    audit_words.add_states("resource", STATUSES)
    audit_words.add_states("resource_revision", REVISION_STATUSES)
    from . import workbench as work_queues
    work_queues.register()  # its queues on the workbench (core.workbench)
    app.register_blueprint(bp)
    from flask_babel import lazy_gettext as _l

    from ..core import nav
    from .nav import provides_resources
    nav.add_link(_l("我的资源"), "catalog.mine", nav.org_member, priority=20)
    nav.add_link(_l("发布资源"), "catalog.choose_type", provides_resources, priority=20)
    nav.add_link(_l("资源审核"), "catalog.review", nav.has_role("reviewer"), priority=10)
