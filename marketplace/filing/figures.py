"""Figures of a firm's work on the platform, from whichever domains record it.

Trading registers deals brokered and amounts received, contract registration registers registered
contracts and their 技术交易额. Until they do, every figure is zero. A provider is
`fn(firm, year: int | None) -> dict` with any of FIGURES (money in fen); `year=None` means all years.

    from marketplace.filing.figures import register_provider
    register_provider("trading", lambda firm, year: {"deals_brokered": 3, "contract_amount": 120_000_00})
"""
from collections.abc import Callable

FIGURES = ("deals_brokered", "registered_contracts", "contract_amount", "tech_amount", "amount_received",
           "enterprises_served")
PROVIDERS: dict[str, Callable] = {}


def register_provider(name: str, fn: Callable) -> None:
    """Add (or replace) the provider `name`."""
    PROVIDERS[name] = fn


def figures_for(firm, year: int | None = None) -> dict[str, int]:
    """The sum over every provider of each figure (0 when nobody reports it)."""
    totals = dict.fromkeys(FIGURES, 0)
    for fn in PROVIDERS.values():
        for key, value in (fn(firm, year) or {}).items():
            if key in totals and isinstance(value, int) and not isinstance(value, bool):
                totals[key] += value
    return totals
