"""Events (对接会, 产学研合作成果展示洽谈会, training) and their registrations.

Capacity is the database's to keep: `registered_count` is a counter on the event row, raised only by a
conditional UPDATE (`... WHERE registered_count < capacity`) and bounded by a CHECK, so concurrent
registrations can never fill more seats than there are, on SQLite or PostgreSQL.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..catalog.types import PLATFORMS
from ..core.reference import CITIES, sql_in
from ..core.timeutil import utcnow
from ..extensions import db
from .states import EVENT_KINDS, EVENT_STATUSES, REGISTRATION_STATUSES


class Event(db.Model):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    platform: Mapped[str | None] = mapped_column(sa.String(20))  # the platform page that shows it
    city: Mapped[str] = mapped_column(sa.String(10))
    venue: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    registration_deadline: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(sa.Integer)
    registered_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    status: Mapped[str] = mapped_column(sa.String(20), default="published")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {sql_in(EVENT_KINDS)}", name="kind"),
        sa.CheckConstraint(f"status IN {sql_in(EVENT_STATUSES)}", name="status"),
        sa.CheckConstraint(f"city IN {sql_in(CITIES)}", name="city"),
        sa.CheckConstraint(f"platform IS NULL OR platform IN {sql_in(PLATFORMS)}", name="platform"),
        sa.CheckConstraint("capacity BETWEEN 1 AND 100000", name="capacity"),
        sa.CheckConstraint("registered_count >= 0 AND registered_count <= capacity", name="seats"),
        sa.CheckConstraint("ends_at > starts_at", name="times"),
        sa.CheckConstraint("registration_deadline <= ends_at", name="deadline"),
        sa.Index("ix_events_starts", "status", "starts_at"),
    )

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.registered_count, 0)


class EventRegistration(db.Model):
    """One person's place at an event: registered, waitlisted (in `queued_at` order) or cancelled."""

    __tablename__ = "event_registrations"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)  # the check-in code (and QR)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_in_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event = relationship(Event, lazy="joined")
    user = relationship(User, lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("event_id", "user_id", name="uq_event_registrations_once"),
        sa.CheckConstraint(f"status IN {sql_in(REGISTRATION_STATUSES)}", name="status"),
        sa.CheckConstraint("checked_in_at IS NULL OR status = 'registered'", name="checkin_registered"),
        sa.Index("ix_event_registrations_queue", "event_id", "status", "queued_at"),
    )
