"""Explicit state machines: one table of allowed transitions, one function that applies them."""
from .audit import record
from .errors import Conflict


class StateMachine:
    """`transitions` maps a state to the states reachable from it."""

    def __init__(self, entity: str, transitions: dict[str, set[str]], field: str = "status"):
        self.entity = entity
        self.transitions = transitions
        self.field = field

    def allowed(self, state: str) -> set[str]:
        return self.transitions.get(state, set())

    def can(self, obj, to_state: str) -> bool:
        return to_state in self.allowed(getattr(obj, self.field))

    def apply(self, obj, to_state: str, actor, comment: str | None = None, action: str | None = None):
        """Move `obj` to `to_state`, audited; raise Conflict if the move is not allowed."""
        current = getattr(obj, self.field)
        if to_state not in self.allowed(current):
            raise Conflict(f"不能从“{current}”变为“{to_state}” / cannot go from {current} to {to_state}")
        setattr(obj, self.field, to_state)
        record(self.entity, obj.id, action or to_state, actor, from_state=current,
               to_state=to_state, comment=comment)
        return obj
