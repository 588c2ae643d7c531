"""Sources of the plan's figures kept by other domains (they register here; census imports none of them).

    from marketplace.census.plan import register_plan_source
    register_plan_source("contracts", lambda year: {"contracts": 12, "contract_amount": 3_000_000})

A source returns any of PLAN_KEYS for a year; a figure nobody reports is shown as 0 with a note.
"""
from collections.abc import Callable

PLAN_KEYS = ("alliances", "secondments", "contracts", "contract_amount")
SOURCES: dict[str, Callable[[int], dict]] = {}


def register_plan_source(name: str, fn: Callable[[int], dict]) -> None:
    SOURCES[name] = fn


def plan_values(year: int) -> dict[str, int]:
    """{key: value} for the keys some source reports in `year`."""
    values: dict[str, int] = {}
    for fn in SOURCES.values():
        for key, value in (fn(year) or {}).items():
            if key in PLAN_KEYS and isinstance(value, int) and not isinstance(value, bool):
                values[key] = values.get(key, 0) + value
    return values
