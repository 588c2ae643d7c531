"""Two-sided subsidy (双向补贴): programmes, eligibility and amounts, reservations, settlement, ledger."""


def _on_approved(booking, actor=None, **_kw):
    from .services import reserve_user_subsidy
    reserve_user_subsidy(booking, actor)


def _on_released(booking, actor=None, **_kw):
    from .services import release_user_subsidy
    release_user_subsidy(booking, actor, why=booking.status)


def _on_completed(booking, actor=None, **_kw):
    from .services import recompute_user_subsidy
    recompute_user_subsidy(booking, actor)


def _on_settled(booking, actor=None, payment_id=None, **_kw):
    from .services import commit_user_subsidy
    commit_user_subsidy(booking, actor, payment_id=payment_id)


def _on_refunded(payment, booking=None, actor=None, **_kw):
    from .services import refund_user_subsidy
    refund_user_subsidy(booking, actor, payment)


def connect_signals():
    from ..booking import signals
    signals.booking_approved.connect(_on_approved, weak=False)
    for sig in (signals.booking_rejected, signals.booking_cancelled, signals.booking_no_show):
        sig.connect(_on_released, weak=False)
    signals.booking_completed.connect(_on_completed, weak=False)
    signals.booking_settled.connect(_on_settled, weak=False)
    from ..payments import signals as payment_signals  # the signals only: no import of payments' code
    payment_signals.payment_refunded.connect(_on_refunded, weak=False)


def init_app(app):
    from . import models  # noqa: F401  (registers the tables)
    from .cli import subsidy_cli
    from .routes import bp

    connect_signals()
    app.register_blueprint(bp)
    app.cli.add_command(subsidy_cli)

    @app.context_processor
    def _subsidy_helpers():
        def booking_subsidy(booking):
            """The subsidy record of a booking (for the booking page: reason shown to the user)."""
            from .services import reservation_of
            return reservation_of(booking)
        return {"booking_subsidy": booking_subsidy}
