"""Technology-contract registration (技术合同认定登记): applications, the registrar's working-day queue,
registration numbers, certificates, public verification, changes and statistics."""
import os

# Defaults (DOMAIN.md: the 2026 registration measures); each may be set in the app config or environment.
DEFAULTS = {
    "REGISTRATION_REVIEW_DAYS": 15,                 # working days to decide
    "REGISTRATION_EXPERT_REVIEW_DAYS": 30,          # ... when expert review is needed
    "REGISTRATION_EXPERT_THRESHOLD": 500_000_000,   # 技术交易额 ≥ ¥5,000,000 (fen) needs expert review
    "REGISTRATION_POINT": "01",                     # 2-digit registration point in the number
    "REGISTRATION_DEFAULT_CITY": "3201",            # the point's city when neither party is in Jiangsu
    "REGISTRATION_ISSUER": "江苏省技术合同认定登记机构",  # the issuing body printed on certificates
}


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from ..core import nav
    from . import models  # noqa: F401  (registers the tables)
    from .cli import registration_cli
    from .routes import bp

    for key, default in DEFAULTS.items():
        value = os.environ.get(key)
        if value is not None and isinstance(default, int):
            value = int(value)
        app.config.setdefault(key, value if value is not None else default)
    import re
    if not re.fullmatch(r"[0-9]{2}", str(app.config["REGISTRATION_POINT"])) or \
            not re.fullmatch(r"[0-9]{4}", str(app.config["REGISTRATION_DEFAULT_CITY"])):
        raise RuntimeError("REGISTRATION_POINT must be 2 digits and REGISTRATION_DEFAULT_CITY 4 digits")
    from ..core import history as audit_words
    from .states import STATUSES as REGISTRATION_STATUSES
    audit_words.add_states("contract_registration", REGISTRATION_STATUSES)
    from . import workbench as work_queues
    work_queues.register()  # its queues on the workbench (core.workbench)
    app.register_blueprint(bp)
    app.cli.add_command(registration_cli)
    from .services.figures import register_with_census, register_with_filing
    register_with_filing()
    register_with_census()

    @app.context_processor
    def _registration_reference():
        from ..uploads.services import uploads_by_id
        from . import reference, states
        from .cities import city_label
        return {"reg_ref": reference, "reg_statuses": states.STATUSES, "reg_uploads": uploads_by_id,
                "reg_city": city_label}

    nav.add_link(_l("技术合同登记"), "registration.mine", who=nav.org_member)
    nav.add_link(_l("合同登记审查"), "registration.queue", who=lambda user: user.has_role("reviewer"))
    nav.add_workflow("trading", _l("技术合同认定登记"), "registration.new", signed_in=True)
    nav.add_workflow("trading", _l("核验登记证明"), "registration.verify_form")
    nav.add_workflow("data", _l("技术合同统计"), "registration.stats")
    nav.add_panel("data", "registration/_stats_panel.html", _panel_context)


def _panel_context() -> dict:
    from .services.applications import today_local
    from .services.stats import contract_stats
    year = today_local().year
    return {"stats": contract_stats(year, "type")}
