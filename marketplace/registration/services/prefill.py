"""Pre-fill sources: a domain that knows signed deals (trading) registers a function that turns a
deal into the fields of an application, so that registration never imports trading.

    from marketplace.registration.services.prefill import register_prefill_source

    def deal_fields(deal_id: int, actor) -> dict | None:
        # None when there is no such signed deal the actor's organisation may register
        return {"project_name": ..., "contract_type": ..., "buyer": {...}, "seller": {...},
                "signed_on": ..., "total_amount": ..., "non_tech_items": [...]}

    register_prefill_source("trading", deal_fields)
"""
from collections.abc import Callable

PrefillSource = Callable[..., dict | None]  # source(deal_id, *, actor)

_SOURCES: dict[str, PrefillSource] = {}


def register_prefill_source(name: str, source: PrefillSource) -> None:
    """Add (or replace) a source of application fields keyed by `deal_id`."""
    _SOURCES[name] = source


def unregister_prefill_source(name: str) -> None:
    _SOURCES.pop(name, None)


def prefill_for_deal(deal_id: int, *, actor) -> dict | None:
    """The application fields of signed deal `deal_id` as seen by `actor`, from the first source that
    knows it; None when no source does."""
    for source in list(_SOURCES.values()):
        fields = source(deal_id, actor=actor)
        if fields:
            return dict(fields)
    return None
