"""The data platform page's census section: this year's headline figures."""
from ...core.timeutil import to_local, utcnow
from .census import census, orgs_served_total, totals


def platform_panel() -> dict:
    year = to_local(utcnow()).year
    total = totals(census(year, "city"))
    total.orgs_served = orgs_served_total(year)
    return {"year": year, "total": total.as_dict()}
