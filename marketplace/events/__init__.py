"""Events (对接会, 产学研合作成果展示洽谈会, training): publishing, registration with a waitlist, check-in.

A package of its own (not inside requests): events have their own lifecycle, capacity and pages, and
requests only point at the event they were started from.
"""


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from ..core import nav
    from . import models  # noqa: F401  (registers the tables)
    from .routes import bp

    app.register_blueprint(bp)
    nav.add_link(_l("活动报名"), "events.mine", nav.EVERYONE)
    for platform in ("startup", "finance", "talent"):
        nav.add_workflow(platform, _l("对接会与培训活动"), "events.index")
        nav.add_panel(platform, "events/_platform_panel.html", _panel(platform))


def _panel(platform):
    def context():
        from . import services
        from .states import EVENT_KINDS
        return {"events": services.upcoming(platform=platform, limit=5), "kinds": EVENT_KINDS}
    return context
