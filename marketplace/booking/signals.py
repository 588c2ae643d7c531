"""Booking signals: what other domains may hear after a booking moved, inside the same transaction.

Money does not move through here: the transitions call the subsidy service themselves
(services/transitions.py), so a reader of a transition sees the public money it moves. What can wait
(notifications, mail) is a job after the commit (`core.jobs.enqueue`).

    booking_cancelled   requested/approved -> cancelled; receivers get (booking, actor=...)
"""
from blinker import Namespace

_signals = Namespace()

booking_cancelled = _signals.signal("booking-cancelled")
