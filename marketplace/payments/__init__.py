"""The one payment engine: checkout, webhooks, refunds and reconciliation through the Stripe-compatible
gateway, for every purpose (payments.purposes: bookings here, deal instalments from trading)."""


def _on_cancelled(booking, *, actor=None, **_kw):
    """A paid booking that is cancelled is refunded (the subsidy returns to the budget)."""
    import sqlalchemy as sa

    from ..extensions import db
    from .models import Payment
    from .services import refund_payment
    for payment in db.session.scalars(sa.select(Payment).where(Payment.purpose == "booking",
                                                               Payment.booking_id == booking.id,
                                                               Payment.status == "succeeded")):
        refund_payment(payment, actor=actor, system=True)


def init_app(app):
    from ..booking import signals
    from . import (
        models,  # noqa: F401
        purposes,
    )
    from .cli import payments_cli
    from .routes import bp
    from .services.bookings import BookingPurpose

    purposes.register(BookingPurpose())
    signals.booking_cancelled.connect(_on_cancelled, weak=False)
    app.register_blueprint(bp)
    app.cli.add_command(payments_cli)
    from .states import status_label
    app.jinja_env.globals["payment_status_label"] = status_label

    @app.context_processor
    def _payment_helpers():
        def payment_actions(booking):
            """What the signed-in person may do about paying this booking (["pay"] or [])."""
            from flask_login import current_user

            from .services import allowed_actions
            return allowed_actions(booking, actor=current_user)
        return {"payment_actions": payment_actions}
