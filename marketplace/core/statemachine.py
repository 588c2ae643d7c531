"""Explicit state machines: one table of allowed transitions, one function that applies them.

A domain's `states.py` declares its machine once:

    FILING = StateMachine("filing", {"draft": {"submitted"}, "submitted": {"under_review"}, ...},
                          actions={"submit": "submitted", "start-review": "under_review", ...})

Services call `FILING.apply(filing, "submitted", actor, comment=...)` (audited; anything not in the
table is a Conflict), and `allowed_actions(entity, actor)` in the services is
`FILING.available(filing, lambda action: <may the actor take it>)`: pages draw their buttons from
it and the service enforces the same rule.

Every move is one conditional UPDATE (`… SET status = :to WHERE id = :id AND status = :from`): when two
requests move the same row at once, the database lets exactly one of them through and the other gets
the Conflict, whatever each had read. `move()` does the same by id, for a caller that holds no loaded
object and may find the move already done (a payment's outcome reported by checkout, webhook and
reconcile alike).
"""
from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from .audit import record
from .db import moved
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

    def sources(self, to_state: str) -> tuple[str, ...]:
        """The states from which the table allows a move to `to_state`."""
        return tuple(s for s, targets in self.transitions.items() if to_state in targets)

    def apply(self, obj, to_state: str, *, actor, comment: str | None = None, action: str | None = None, **values):
        """Move `obj` to `to_state` (setting `values` with it), audited; raise Conflict when the table
        does not allow the move from the state `obj` was read in, or when the row is no longer in that
        state (someone else moved it meanwhile)."""
        current = getattr(obj, self.field)
        if to_state not in self.allowed(current):
            raise Conflict(self._refusal(current, to_state))
        model = self._owner(type(obj))
        if model is None or not sa.inspect(obj).persistent:
            # Not in the database yet (nobody else can move it), or a state the model derives from its
            # columns (a programme's active flag): set it on the object, the flush writes it.
            for name, value in ((self.field, to_state), *values.items()):
                setattr(obj, name, value)
            record(self.entity, obj.id, action or to_state, actor=actor, from_state=current,
                   to_state=to_state, comment=comment)
            return obj
        if obj in db.session.dirty:
            db.session.flush()  # the caller's earlier changes reach the row before the move (CHECKs)
        with db.session.no_autoflush:  # other pending rows (audit) go with the next flush, in one batch
            res = db.session.execute(
                sa.update(model).where(model.id == obj.id, getattr(model, self.field) == current)
                .values({self.field: to_state, **values}).execution_options(synchronize_session=False))
        if res.rowcount != 1:
            db.session.refresh(obj, [self.field])
            raise Conflict(self._refusal(getattr(obj, self.field), to_state))
        for name, value in ((self.field, to_state), *values.items()):
            set_committed_value(obj, name, value)
        moved(db.session, obj)
        record(self.entity, obj.id, action or to_state, actor=actor, from_state=current,
               to_state=to_state, comment=comment)
        return obj

    def move(self, model, ident: int, to_state: str, *, actor=None, only_from: tuple[str, ...] | None = None,
             action: str | None = None, comment: str | None = None, **values) -> bool:
        """Move row `ident` of `model` to `to_state` from any state the table allows (or only from
        `only_from`), with `values`, in one conditional UPDATE, audited. False when the row was in no
        such state (another answer already moved it): the move happens once however often it is asked."""
        model = self._owner(model)
        assert model is not None, f"{self.entity}: move() needs a status column"
        allowed = self.sources(to_state)
        if only_from is not None:
            allowed = tuple(s for s in allowed if s in only_from)
        res = db.session.execute(
            sa.update(model).where(model.id == ident, getattr(model, self.field).in_(allowed))
            .values({self.field: to_state, **values}).execution_options(synchronize_session=False))
        if res.rowcount != 1:
            return False
        record(self.entity, ident, action or to_state, actor=actor,
               from_state=only_from[0] if only_from and len(only_from) == 1 else None, to_state=to_state,
               comment=comment)
        return True

    def _owner(self, model):
        """The class whose own table holds the status column (a joined-inheritance subclass such as
        Instrument updates its base Resource's row); None when the state is not a column."""
        for mapper in sa.inspect(model).iterate_to_root():
            if self.field in mapper.local_table.c:
                return mapper.class_
        return None

    @staticmethod
    def _refusal(current, to_state) -> str:
        return _("不能从“%(current)s”变为“%(target)s”", current=current, target=to_state)
