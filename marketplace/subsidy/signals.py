"""How the subsidy follows bookings and payments: receivers of their signals (sent inside the same
transaction; a DomainError raised here aborts the booking's or payment's move).

    booking approved            -> reserve the user-side subsidy in the budget
    rejected / cancelled / no-show -> release it
    completed                   -> recompute it on the actual fee (never above the reservation)
    settled (paid)              -> commit it and book the provider's income
"""
from .services import (
    commit_user_subsidy,
    recompute_user_subsidy,
    release_user_subsidy,
    reserve_user_subsidy,
)


def _on_approved(booking, actor=None, **_kw):
    reserve_user_subsidy(booking, actor=actor)


def _on_released(booking, actor=None, **_kw):
    release_user_subsidy(booking, actor=actor, why=booking.status)


def _on_completed(booking, actor=None, **_kw):
    recompute_user_subsidy(booking, actor=actor)


def _on_settled(booking, actor=None, payment_id=None, **_kw):
    commit_user_subsidy(booking, actor=actor, payment_id=payment_id)


def connect_signals():
    from ..booking import signals
    signals.booking_approved.connect(_on_approved, weak=False)
    for sig in (signals.booking_rejected, signals.booking_cancelled, signals.booking_no_show):
        sig.connect(_on_released, weak=False)
    signals.booking_completed.connect(_on_completed, weak=False)
    signals.booking_settled.connect(_on_settled, weak=False)
