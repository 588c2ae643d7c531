"""Record who did what, when and why."""
from ..extensions import db
from .models import AuditLog


def record(entity: str, entity_id: int, action: str, *, actor=None, from_state=None,
           to_state=None, comment: str | None = None) -> AuditLog:
    entry = AuditLog(entity=entity, entity_id=entity_id, action=action,
                     actor_id=getattr(actor, "id", None), from_state=from_state,
                     to_state=to_state, comment=comment)
    db.session.add(entry)
    return entry


def history(entity: str, entity_id: int) -> list[AuditLog]:
    return db.session.scalars(
        db.select(AuditLog).where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
        .order_by(AuditLog.created_at, AuditLog.id)
    ).all()
