"""Two-sided subsidy (双向补贴): programmes, eligibility and amounts, reservations, settlement, statements,
payouts (money moves are posted to `marketplace.ledger`)."""


def init_app(app):
    from . import models  # noqa: F401  (registers the tables)
    from . import workbench as work_queues
    from .cli import subsidy_cli
    from .routes import bp
    work_queues.register()  # its queues on the workbench (core.workbench)
    app.register_blueprint(bp)
    app.cli.add_command(subsidy_cli)
    from flask_babel import lazy_gettext as _l

    from ..core import nav
    nav.add_link(_l("补贴与结算"), "subsidy.dashboard", nav.has_role("finance"), priority=10)
    nav.add_link(_l("向单位付款"), "subsidy.payouts", nav.has_role("finance"), priority=10)
    # Every organisation finds what it paid and was paid (a lab its income and subsidy) from its menu.
    nav.add_link(_l("收支明细"), "subsidy.statements", nav.org_member, priority=45)
    from .routes import policy
    policy.init_app(app)  # the public policy page and the booking estimate

    @app.context_processor
    def _subsidy_helpers():
        def booking_subsidy(booking):
            """The subsidy record of a booking (for the booking page: reason shown to the user)."""
            from .services import reservation_of
            return reservation_of(booking)
        def subsidy_reason(res):
            """Why a reservation's subsidy is what it is, in the interface language."""
            from flask_babel import gettext

            from .rules import REASONS
            return gettext(REASONS[res.reason_code]) if res.reason_code in REASONS else (res.reason or "")
        def subsidy_quote(instrument, fee, start_local):
            """The expected subsidy of a booking being quoted, and why its rate applies or not."""
            from flask_login import current_user

            from .services.eligibility import quote
            org = current_user.organisation if current_user.is_authenticated else None
            return quote(instrument, org, fee, start_local)

        def subsidy_flags(org, day=None):
            """An organisation's verified flags in words (the booking page says why a rate applies)."""
            from ..verification.services import effective_flags, explain
            return explain(effective_flags(org, day)) if org is not None else []

        return {"booking_subsidy": booking_subsidy, "subsidy_reason": subsidy_reason, "subsidy_quote": subsidy_quote,
                "subsidy_flags": subsidy_flags}
