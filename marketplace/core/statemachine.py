"""Explicit state machines: one table of allowed transitions, one function that applies them.

A domain's `states.py` declares its machine once:

    FILING = StateMachine("filing", {"draft": {"submitted"}, "submitted": {"under_review"}, ...},
                          actions={"submit": "submitted", "start-review": "under_review", ...})

Services call `FILING.apply(filing, "submitted", actor, comment=...)` (audited; anything not in the
table is a Conflict), and `allowed_actions(entity, actor)` in the services is
`FILING.available(filing, lambda action: <may the actor take it>)`: pages draw their buttons from
it and the service enforces the same rule.
"""
from collections.abc import Callable

from flask_babel import gettext as _

from .audit import record
from .errors import Conflict


class StateMachine:
    """`transitions` maps a state to the states reachable from it; `actions` names the moves."""

    def __init__(self, entity: str, transitions: dict[str, set[str]], field: str = "status",
                 actions: dict[str, str] | None = None):
        self.entity = entity
        self.transitions = transitions
        self.field = field
        self.actions = actions or {}
        unknown = set(self.actions.values()) - set(transitions)
        assert not unknown, f"{entity}: actions lead to undeclared states {unknown}"

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(self.transitions)

    def allowed(self, state: str) -> set[str]:
        return self.transitions.get(state, set())

    def can(self, obj, to_state: str) -> bool:
        return to_state in self.allowed(getattr(obj, self.field))

    def available(self, obj, permitted: Callable[[str], bool]) -> list[str]:
        """The named actions that the table allows from obj's state and `permitted(action)` accepts."""
        return [a for a, target in self.actions.items() if self.can(obj, target) and permitted(a)]

    def apply(self, obj, to_state: str, actor, comment: str | None = None, action: str | None = None):
        """Move `obj` to `to_state`, audited; raise Conflict if the move is not allowed."""
        current = getattr(obj, self.field)
        if to_state not in self.allowed(current):
            raise Conflict(_("不能从“%(current)s”变为“%(target)s”", current=current, target=to_state))
        setattr(obj, self.field, to_state)
        record(self.entity, obj.id, action or to_state, actor, from_state=current,
               to_state=to_state, comment=comment)
        return obj
