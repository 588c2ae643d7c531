"""Shared models: the audit log and the job outbox."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .timeutil import utcnow


class AuditLog(db.Model):
    """Who did what to which entity, when and why. Append-only."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(sa.String(40), index=True)
    entity_id: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    from_state: Mapped[str | None] = mapped_column(sa.String(30))
    to_state: Mapped[str | None] = mapped_column(sa.String(30))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __table_args__ = (sa.Index("ix_audit_entity", "entity", "entity_id"),)


class OutboxJob(db.Model):
    """A job committed with the transaction that asked for it (core.jobs, queue mode).

    The row is the job: a worker claims it, runs it and deletes it in one transaction, so a process
    killed between the commit and the queue loses nothing, and the job's own writes land exactly once.
    """

    __tablename__ = "job_outbox"
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)
    queue: Mapped[str] = mapped_column(sa.String(100))
    name: Mapped[str] = mapped_column(sa.String(200))   # "module:function"
    args: Mapped[str] = mapped_column(sa.Text)          # JSON [args, kwargs]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.Index("ix_job_outbox_queue", "queue", "id"),)
