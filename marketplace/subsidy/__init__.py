"""Two-sided subsidy (双向补贴): programmes, eligibility and amounts, reservations, settlement, statements,
payouts (money moves are posted to `marketplace.ledger`)."""


def init_app(app):
    from . import models  # noqa: F401  (registers the tables)
    from .cli import subsidy_cli
    from .routes import bp
    from .signals import connect_signals
    connect_signals()
    app.register_blueprint(bp)
    app.cli.add_command(subsidy_cli)

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
        return {"booking_subsidy": booking_subsidy, "subsidy_reason": subsidy_reason}
