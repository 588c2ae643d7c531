"""Money the way Chinese organisations pay: monthly bills (对账单) per paying organisation, paid by
bank transfer (对公转账, matched by remittance code from imported bank statements) or by card
through the one payment engine up to the gateway's ceiling."""


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from ..core import nav
    from ..payments import purposes
    from . import models  # noqa: F401  (registers the tables)
    from .cli import bank_cli, billing_cli
    from .routes import bp, to_pay_panel
    from .services.bills import hold_reason
    from .services.purpose import BillPurpose

    purposes.register(BillPurpose())
    from . import remittance
    from .services.bank import BillRemittance
    remittance.register(BillRemittance())  # bills are paid by transfer, matched by their remittance code
    from ..trading.services.supervision import InstalmentRemittance
    remittance.register(InstalmentRemittance())  # so are deal instalments, into the supervised account
    purposes.register_hold(hold_reason)
    from ..uploads.services import register_access_rule
    from .routes import invoices  # noqa: F401  (adds the 发票 pages to bp)
    from .services.invoices import can_read_document
    register_access_rule(can_read_document)
    app.register_blueprint(bp)
    app.cli.add_command(billing_cli)
    app.cli.add_command(bank_cli)
    nav.add_link(_l("对账单"), "billing.bills", who=nav.any_of(nav.org_member, nav.has_role("finance")),
                 badge=_owed_bills, priority=12)
    nav.add_link(_l("发票"), "billing.invoices", who=nav.any_of(nav.org_member, nav.has_role("finance")),
                 priority=40)
    nav.add_link(_l("银行到账"), "billing.bank", who=nav.has_role("finance"), badge=_queued_lines, priority=30)
    nav.add_panel("booking.to_pay", "billing/_to_pay_panel.html", to_pay_panel)
    from .states import BANK_LINE_STATUSES, BILL_STATUSES, INVOICE_KINDS, INVOICE_STATUSES
    app.jinja_env.globals.update(BILL_LABELS=BILL_STATUSES, BANK_LABELS=BANK_LINE_STATUSES,
                                 INVOICE_LABELS=INVOICE_STATUSES, KINDS_LABELS=INVOICE_KINDS)


def _owed_bills(user):
    """The organisation's unpaid bills (finance sees every bill and gets no count)."""
    from ..core import nav
    if user.has_role("finance"):
        return None
    from .services.bills import owed_by
    return nav.remember("owed_bills", user, lambda: owed_by(user.organisation_id).bills)


def _queued_lines(user):
    import sqlalchemy as sa

    from ..extensions import db
    from .models import BankLine
    return db.session.scalar(sa.select(sa.func.count()).select_from(BankLine).where(BankLine.status == "unmatched"))
