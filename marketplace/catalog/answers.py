"""Fields of a resource's API answer that domains above catalog fill, without catalog importing them
(the layers of `.importlinter`): a domain registers `fill(resource) -> value or None` under the name of
a field of `schemas.ResourceOut` from its init_app. The auctions domain fills `auction` on an
achievement listed by auction (CONTRACT: its id, status and terms)."""
from collections.abc import Callable

_FILLS: dict[str, Callable] = {}


def register_answer_field(name: str, fill: Callable) -> None:
    """Let `fill(resource)` answer the field `name` of a resource's detail answer."""
    from .schemas import ResourceOut
    if name not in ResourceOut.model_fields:
        raise ValueError(f"ResourceOut has no field {name!r}")
    _FILLS[name] = fill


def answer_fields(resource) -> dict:
    """The registered fields' values for one resource (None where a domain has nothing to add)."""
    return {name: fill(resource) for name, fill in _FILLS.items()}
