"""Firm filing services, split by sub-entity: filings (application and review), numbers, directory,
annual reports and the sweep, evaluation. Each takes the entity first and the actor keyword-only,
checks permission first, raises core.errors and only flushes."""
from .brokers import active_broker_firm, is_active_broker  # noqa: F401
