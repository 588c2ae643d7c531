"""Usage captured from the instrument itself: the instrument PC's token and the sessions it reports."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import utcnow
from ..extensions import db


class InstrumentToken(db.Model):
    """The secret an instrument's PC reports sessions with (only its SHA-256 is stored; one per
    instrument, regenerating replaces it). It authorises nothing but that instrument's sessions."""

    __tablename__ = "booking_instrument_tokens"
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InstrumentSession(db.Model):
    """One session the instrument reported (start, then stop; or both at once), linked to the booking it
    falls in. `flagged`: its times differ from the booking's by more than 15 minutes (the lab was told)."""

    __tablename__ = "booking_instrument_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    booking_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bookings.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    flagged: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("ended_at IS NULL OR ended_at > started_at", name="span"),
        # one open session per instrument: a second start before a stop is refused by the database too
        sa.Index("uq_booking_instrument_sessions_open", "instrument_id", unique=True,
                 sqlite_where=sa.text("ended_at IS NULL"), postgresql_where=sa.text("ended_at IS NULL")),
    )
