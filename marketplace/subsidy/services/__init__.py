"""The subsidy's services: the programme and its budget movements (budget), who qualifies and the quote
(eligibility), the public policy (policy), provider settlement (settlement), payouts (payouts),
statements (statements) and the finance dashboard's charts (charts). `services.X` is budget's X."""
from . import charts, eligibility, payouts, policy, settlement, statements  # noqa: F401
from .budget import *  # noqa: F403
from .budget import _lock_programme, _move  # noqa: F401  (settlement moves reservations in the same way)
