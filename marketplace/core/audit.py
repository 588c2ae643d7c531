"""Record who did what, when and why."""
import sqlalchemy as sa

from ..extensions import db
from .models import AuditLog
from .timeutil import utcnow


def record(entity: str, entity_id: int, action: str, *, actor=None, from_state=None,
           to_state=None, comment: str | None = None) -> AuditLog:
    entry = AuditLog(entity=entity, entity_id=entity_id, action=action,
                     actor_id=getattr(actor, "id", None), from_state=from_state,
                     to_state=to_state, comment=comment)
    db.session.add(entry)
    return entry


def record_rows(rows, entity: str, id_column, action: str, *, from_state=None, to_state=None):
    """`record` for every row a data-modifying CTE returns (`rows`, with `id_column` its entity id), as a
    CTE of its own: added to the statement that makes the rows (`select(...).add_cte(...)`), the audit
    rows are written in that same statement (PostgreSQL), one round trip for both. Who and when are
    bound at execution (`rows_params(actor)`), so the statement can be built once and reused."""
    table = AuditLog.__table__
    values = sa.select(sa.literal(entity, sa.String), id_column, sa.literal(action, sa.String),
                       sa.literal(from_state, sa.String), sa.literal(to_state, sa.String),
                       sa.bindparam("audit_actor_id", type_=sa.Integer),
                       sa.bindparam("audit_at", type_=sa.DateTime)).select_from(rows)
    return sa.insert(table).from_select(
        ["entity", "entity_id", "action", "from_state", "to_state", "actor_id", "created_at"], values
    ).cte(f"audit_{entity}")


def rows_params(*, actor) -> dict:
    """The values record_rows' statement binds: who, and now."""
    return {"audit_actor_id": getattr(actor, "id", None), "audit_at": utcnow()}


def history(entity: str, entity_id: int) -> list[AuditLog]:
    return db.session.scalars(
        db.select(AuditLog).where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
        .order_by(AuditLog.created_at, AuditLog.id)
    ).all()
