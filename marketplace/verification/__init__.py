"""Verified organisations (who gets public money): the checked identity (USCC, legal name, legal
representative), qualification claims with evidence and their review, the effective flags that
subsidy rates rest on, and related parties."""


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from ..core import history as audit_words
    from ..core import nav
    from . import models  # noqa: F401  (registers the tables)
    from .states import STATUSES as QUALIFICATION_STATUSES
    audit_words.add_states("qualification", QUALIFICATION_STATUSES)
    from . import workbench as work_queues
    from .routes import bp
    work_queues.register()  # its queues on the workbench (core.workbench)
    app.register_blueprint(bp)
    nav.add_link(_l("单位认证"), "verification.mine", who=nav.org_member)
    nav.add_link(_l("资质审核"), "verification.queue", who=lambda u: u.has_role("reviewer"))
    from ..uploads.services import register_publisher_rule
    from .services.identity import licence_verified
    register_publisher_rule(licence_verified)  # public files only from organisations verified here
    from .cli import register
    register(app)
