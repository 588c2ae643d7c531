"""Registered-contract figures for other domains: a technology-manager firm's annual report (filing)
counts the registered contracts of the deals it brokered and their 技术交易额.

Which deals a firm brokered is trading's knowledge: trading registers a source of deal ids

    from marketplace.registration.services.figures import register_brokered_deals
    register_brokered_deals("trading", lambda firm, year: [deal.id for deal in ...])

and until it does, every figure is zero (no contract is attributed to a firm by guesswork).
"""
from collections.abc import Callable

import sqlalchemy as sa

from ...core.db import row_ids
from ...extensions import db
from ..models import ContractRegistration as CR
from ..states import IN_FORCE

_BROKERED: dict[str, Callable] = {}


def register_brokered_deals(name: str, source: Callable) -> None:
    """`source(firm, year | None) -> iterable of deal ids` the firm brokered."""
    _BROKERED[name] = source


def unregister_brokered_deals(name: str) -> None:
    _BROKERED.pop(name, None)


def figures_for_deals(deal_ids, year: int | None = None) -> dict[str, int]:
    """Registered contracts (still in force) of these deals, registered in `year` (None: all years)."""
    ids = sorted(row_ids(deal_ids))
    if not ids:
        return {"registered_contracts": 0, "tech_amount": 0}
    query = sa.select(sa.func.count(CR.id), sa.func.coalesce(sa.func.sum(CR.tech_amount), 0)).where(
        CR.kind == "new", CR.status.in_(IN_FORCE), CR.deal_id.in_(ids))
    if year is not None:
        query = query.where(sa.extract("year", CR.registered_on) == year)
    count, tech = db.session.execute(query).one()
    return {"registered_contracts": int(count), "tech_amount": int(tech)}


def firm_figures(firm, year: int | None = None) -> dict[str, int]:
    """The filing package's provider: figures of the deals the firm brokered (see the module docstring)."""
    deal_ids = [d for source in list(_BROKERED.values()) for d in (source(firm, year) or [])]
    return figures_for_deals(deal_ids, year)


def register_with_filing() -> None:
    """Report to the filing package's annual-report figures."""
    from ...filing.figures import register_provider
    register_provider("registration", firm_figures)


def plan_figures(year: int) -> dict[str, int]:
    """The census's plan figures: contracts registered in `year` and still in force, and their 成交额."""
    from .stats import contract_stats
    totals = contract_stats(year, "type")["totals"]
    return {"contracts": totals["count"], "contract_amount": totals["total_amount"]}


def register_with_census() -> None:
    """Report the plan figures to the census."""
    from ...census.plan import register_plan_source
    register_plan_source("registration", plan_figures)
