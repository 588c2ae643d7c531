"""The one payment engine: checkout, webhooks, refunds and reconciliation through the Stripe-compatible
gateway, for every purpose (payments.purposes: bookings here, deal instalments from trading)."""


def init_app(app):
    from . import (
        models,  # noqa: F401
        purposes,
    )
    from .cli import payments_cli
    from .routes import bp
    from .services.bookings import BookingPurpose

    purposes.register(BookingPurpose())
    app.register_blueprint(bp)
    app.cli.add_command(payments_cli)
    from .states import status_label
    app.jinja_env.globals["payment_status_label"] = status_label
    from .rules import CARD_CEILING
    app.jinja_env.globals["CARD_CEILING"] = CARD_CEILING  # pages offer a card only up to it

    @app.context_processor
    def _payment_helpers():
        def payment_actions(booking):
            """What the signed-in person may do about paying this booking (["pay"] or [])."""
            from flask_login import current_user

            from .services import allowed_actions
            return allowed_actions(booking, actor=current_user)
        return {"payment_actions": payment_actions}
