"""Who may broker: an active technology manager of an approved, not suspended firm (filing domain)."""
import importlib
import importlib.util

from flask import current_app


def active_broker_firm(user):
    """The firm `user` may broker for, or None. Without the filing domain nobody may broker."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    hook = current_app.config.get("TRADING_BROKER_FIRM")  # a test or deployment may inject the rule
    if hook is not None:
        return hook(user)
    if importlib.util.find_spec("marketplace.filing") is None:
        return None
    filing = importlib.import_module("marketplace.filing.services")
    return filing.active_broker_firm(user)


def is_broker(user) -> bool:
    return active_broker_firm(user) is not None


def firm_commission_bp(firm) -> int:
    """The firm's commission rate in basis points: the firm's own rate if it carries one, else the
    per-firm setting TRADING_FIRM_COMMISSION_BP {firm id: bp}, else TRADING_COMMISSION_BP."""
    if firm is None:
        return 0
    own = getattr(firm, "commission_bp", None)
    if isinstance(own, int) and 0 <= own <= 10000:
        return own
    cfg = current_app.config
    per_firm = cfg.get("TRADING_FIRM_COMMISSION_BP") or {}
    return int(per_firm.get(getattr(firm, "id", None), cfg["TRADING_COMMISSION_BP"]))
