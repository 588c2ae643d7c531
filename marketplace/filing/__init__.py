"""Technology-manager firm filing (技术经理人事务所备案): application, review, filing numbers, the
public directory and verify page, certificates, annual reports and the sweep, evaluation."""


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from ..core import nav
    from . import models  # noqa: F401  (registers the tables)
    from .cli import filings_cli
    from .documents import register_kind
    from .routes import bp

    app.config.setdefault("FILING_ISSUER", "江苏省科学技术厅")  # the issuing body printed on the certificate
    app.config.setdefault("FILING_REPORT_DUE", "03-31")       # the report on year Y is due on this day of Y+1
    app.config.setdefault("FILING_REPORT_WARN_DAYS", (30, 7))  # the sweep warns this many days before
    register_kind()  # the firms in the search index
    from ..uploads.services import register_access_rule
    from .services.filings import may_read_document
    register_access_rule(may_read_document)  # a filing's documents: its firm side (reviewers read all)
    from ..core import history as audit_words
    from .states import STATUSES as FILING_STATUSES
    audit_words.add_states("filing", FILING_STATUSES)
    from . import workbench as work_queues
    work_queues.register()  # its queues on the workbench (core.workbench)
    app.register_blueprint(bp)
    app.cli.add_command(filings_cli)

    def may_apply(user):
        org = user.organisation
        return org is None or (org.kind == "service_firm" and user.org_admin)

    nav.add_link(_l("事务所备案"), "filing.mine", may_apply)
    nav.add_link(_l("备案审核"), "filing.queue", lambda u: u.has_role("reviewer"))
    nav.add_workflow("trading", _l("技术经理人事务所名录"), "filing.directory")
    nav.add_workflow("trading", _l("核验事务所备案编号"), "filing.verify_form")
    nav.add_workflow("trading", _l("申请事务所备案"), "filing.mine", signed_in=True)
