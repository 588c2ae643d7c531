"""Who may broker: an active technology manager of an approved, not suspended firm (filing domain)."""


def active_broker_firm(user):
    """The firm `user` may broker for (an active manager of an approved firm), or None."""
    from ...filing.services import active_broker_firm as filing_rule
    return filing_rule(user)


def is_broker(user) -> bool:
    return active_broker_firm(user) is not None


def firm_commission_bp(firm, day=None) -> int:
    """The firm's commission rate in basis points on `day` (today by default); see services/commissions."""
    from .commissions import local_today, rate_on
    return rate_on(firm, day or local_today())
