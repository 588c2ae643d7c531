"""Booking signals, sent synchronously inside the service, in the same transaction, after the
state change has been applied and flushed. Receivers get `(booking, actor=...)`; a receiver may
raise a DomainError to abort the whole transition (the request then rolls back).

    from marketplace.booking.signals import booking_approved

    @booking_approved.connect
    def reserve(booking, actor=None, **extra): ...

A receiver does here only what must commit with the transition (a subsidy reservation). Whatever can
wait — notifications, mail, anything slow — is a job: `core.jobs.enqueue(fn, booking.id)` runs it
after the commit, in-process or on the queue's worker (never for a transition that rolled back).
"""
from blinker import Namespace

_signals = Namespace()

booking_requested = _signals.signal("booking-requested")   # created (status requested)
booking_approved = _signals.signal("booking-approved")     # requested -> approved (also auto-approval)
booking_rejected = _signals.signal("booking-rejected")     # requested -> rejected
booking_cancelled = _signals.signal("booking-cancelled")   # requested/approved -> cancelled
booking_no_show = _signals.signal("booking-no-show")       # approved -> no_show
booking_checked_in = _signals.signal("booking-checked-in")  # approved -> in_use
booking_completed = _signals.signal("booking-completed")   # in_use -> completed (fee recomputed)
booking_settled = _signals.signal("booking-settled")       # completed -> settled (paid)
