"""Booking models: per-instrument provider settings, bookings, ratings, calendar tokens.

Times are naive UTC; a booking occupies the half-open interval [start, end).
Money is int fen.
"""
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, User
from ..catalog.models import Resource
from ..core.reference import sql_in
from ..core.timeutil import utcnow
from ..extensions import db
from .states import (  # noqa: F401
    ACTIVE_STATUSES,
    DOWNTIME_KINDS,
    SEVERITIES,
    STATUSES,
    TRAINING_OPEN,
    TRAINING_STATUSES,
    TRANSITIONS,
    status_label,
    training_label,
)

# -- provider settings -----------------------------------------------------------------------------

class BookingSettings(db.Model):
    """Provider's booking rules for one instrument. Missing numbers fall back to the config."""

    __tablename__ = "booking_settings"
    instrument_id: Mapped[int] = mapped_column(
        sa.ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True)
    lead_time_hours: Mapped[int | None] = mapped_column(sa.Integer)     # default BOOKING_LEAD_TIME_HOURS
    horizon_days: Mapped[int | None] = mapped_column(sa.Integer)        # default BOOKING_HORIZON_DAYS
    min_minutes: Mapped[int | None] = mapped_column(sa.Integer)         # default BOOKING_MIN_MINUTES
    max_minutes: Mapped[int | None] = mapped_column(sa.Integer)         # default BOOKING_MAX_MINUTES
    requires_approval: Mapped[bool] = mapped_column(default=True)
    # an assisted session (staff-operated for a user without the qualification) costs this percent of
    # the user's hourly price; default BOOKING_ASSISTED_PERCENT
    assisted_percent: Mapped[int | None] = mapped_column(sa.Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    opening_hours = relationship("OpeningHours", cascade="all, delete-orphan", lazy="selectin",
                                 order_by="(OpeningHours.weekday, OpeningHours.opens)")

    __table_args__ = (
        sa.CheckConstraint("lead_time_hours IS NULL OR lead_time_hours BETWEEN 0 AND 8760", name="lead"),
        sa.CheckConstraint("horizon_days IS NULL OR horizon_days BETWEEN 1 AND 3660", name="horizon"),
        sa.CheckConstraint("min_minutes IS NULL OR min_minutes BETWEEN 1 AND 100000", name="min_len"),
        sa.CheckConstraint("max_minutes IS NULL OR max_minutes BETWEEN 1 AND 100000", name="max_len"),
        sa.CheckConstraint("assisted_percent IS NULL OR assisted_percent BETWEEN 100 AND 1000", name="assisted"),
    )


class OpeningHours(db.Model):
    """One weekly opening span in Asia/Shanghai local time; weekday 0 = Monday."""

    __tablename__ = "booking_opening_hours"
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(
        sa.ForeignKey("booking_settings.instrument_id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(sa.SmallInteger)
    opens: Mapped[time] = mapped_column(sa.Time)
    closes: Mapped[time] = mapped_column(sa.Time)

    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        sa.CheckConstraint("closes > opens", name="span"),
    )


class Blackout(db.Model):
    """A period when the instrument cannot be booked (maintenance, calibration, holidays)."""

    __tablename__ = "booking_blackouts"
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    start: Mapped[datetime]
    end: Mapped[datetime]
    reason: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.CheckConstraint('"end" > start', name="span"),)


class Downtime(db.Model):
    """Maintenance or an incident (故障) on an instrument. Once the lab records (or confirms) it, its
    Blackout blocks the calendar, the census counts it as downtime rather than idle time, and the
    bookings it overlaps are offered a move or a free cancellation. An incident a user reported waits
    for the lab (no blackout yet); one with no known end blocks BOOKING_DOWNTIME_OPEN_DAYS until fixed."""

    __tablename__ = "booking_downtime"
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # maintenance | incident
    severity: Mapped[str | None] = mapped_column(sa.String(10))  # incidents: low | medium | high
    note: Mapped[str] = mapped_column(sa.String(1000))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]   # the expected end; None: not known yet
    fixed_at: Mapped[datetime | None]
    reported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    blackout_id: Mapped[int | None] = mapped_column(sa.ForeignKey("booking_blackouts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    blackout = relationship(Blackout, lazy="joined")
    reported_by = relationship(User, lazy="joined")

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {sql_in(DOWNTIME_KINDS)}", name="kind"),
        sa.CheckConstraint(f"severity IS NULL OR severity IN {sql_in(SEVERITIES)}", name="severity"),
        sa.CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="span"),
        sa.CheckConstraint("fixed_at IS NULL OR fixed_at > starts_at", name="fixed"),
    )

    @property
    def confirmed(self) -> bool:
        return self.blackout_id is not None or self.fixed_at is not None


class Qualification(db.Model):
    """A user trained (qualified) to operate a self-operated instrument, until `valid_until` (a local
    date, inclusive; None: granted before expiries existed, no end)."""

    __tablename__ = "booking_qualifications"
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    valid_until: Mapped[date | None] = mapped_column(sa.Date, index=True)
    reminded_at: Mapped[datetime | None]  # the renewal reminder for this valid_until was sent

    user = relationship(User, foreign_keys=[user_id], lazy="joined")


class TrainingRequest(db.Model):
    """培训申请: a user asks the lab for training on a self-operated instrument (training.TRAINING)."""

    __tablename__ = "booking_training_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider_org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="requested")
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    scheduled_at: Mapped[datetime | None]
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"))
    lab_note: Mapped[str | None] = mapped_column(sa.String(1000))
    valid_until: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    instrument = relationship(Resource, lazy="joined")
    user = relationship(User, lazy="joined")

    __table_args__ = (
        sa.CheckConstraint(f"status IN {sql_in(TRAINING_STATUSES)}", name="status"),
        # one open request per user and instrument: a second click or a second tab gets a Conflict
        sa.Index("uq_booking_training_open", "instrument_id", "user_id", unique=True,
                 sqlite_where=sa.text(f"status IN {sql_in(TRAINING_OPEN)}"),
                 postgresql_where=sa.text(f"status IN {sql_in(TRAINING_OPEN)}")),
    )

    @property
    def status_label(self) -> str:
        return training_label(self.status)


# -- bookings --------------------------------------------------------------------------------------

class BookingSeries(db.Model):
    """A weekly recurring booking requested as one (services.series): its slots are bookings with
    this series_id, approved or cancelled together."""

    __tablename__ = "booking_series"
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    weekly_until: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    instrument = relationship(Resource, lazy="joined")


class Booking(db.Model):
    __tablename__ = "bookings"
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    # The instrument's owning organisation at booking time (the provider); denormalised for queues.
    provider_org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    start: Mapped[datetime]
    end: Mapped[datetime]
    samples: Mapped[int | None] = mapped_column(sa.Integer)
    purpose: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[str] = mapped_column(sa.String(20), default="requested")
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("booking_series.id", ondelete="SET NULL"), index=True)

    # Rate card snapshot at booking time, so later price changes do not alter this booking.
    price_unit: Mapped[str] = mapped_column(sa.String(10))       # hour | sample
    unit_price: Mapped[int] = mapped_column(sa.BigInteger)       # fen per hour / per sample
    internal: Mapped[bool] = mapped_column(default=False)       # booking org owns the instrument
    service_mode: Mapped[str] = mapped_column(sa.String(20))
    fee: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # fen, computed by rules.booking_fee
    user_subsidy: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # fen, written by subsidy

    actual_start: Mapped[datetime | None]
    actual_end: Mapped[datetime | None]
    actual_samples: Mapped[int | None] = mapped_column(sa.Integer)
    # Usage recorded beyond the booking (end + overrun grace, booked samples + margin) is billed only when
    # the user confirms it: the provider's full record waits here (proposed -> confirmed | declined).
    extension_end: Mapped[datetime | None]
    extension_samples: Mapped[int | None] = mapped_column(sa.Integer)
    extension_status: Mapped[str | None] = mapped_column(sa.String(20))
    cancel_fee: Mapped[int | None] = mapped_column(sa.BigInteger)
    cancel_fee_paid_at: Mapped[datetime | None]  # a late-cancellation / no-show fee was collected
    reject_reason: Mapped[str | None] = mapped_column(sa.String(500))
    payment_ref: Mapped[str | None] = mapped_column(sa.String(100))

    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    settled_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # The booked resource: an instrument or another bookable type (catalog.types.BOOKABLE_TYPES).
    instrument = relationship(Resource, foreign_keys=[instrument_id], lazy="joined")
    user = relationship(User, foreign_keys=[user_id])
    org = relationship(Organisation, foreign_keys=[org_id])
    provider_org = relationship(Organisation, foreign_keys=[provider_org_id])
    rating = relationship("Rating", uselist=False, back_populates="booking")

    __table_args__ = (
        sa.CheckConstraint(f"status IN {sql_in(STATUSES)}", name="status"),
        sa.CheckConstraint('"end" > start', name="span"),
        sa.CheckConstraint("fee >= 0", name="fee_nonneg"),
        sa.CheckConstraint("user_subsidy >= 0", name="subsidy_nonneg"),
        sa.CheckConstraint("cancel_fee IS NULL OR cancel_fee >= 0", name="cancel_fee_nonneg"),
        sa.CheckConstraint("samples IS NULL OR samples > 0", name="samples_pos"),
        sa.CheckConstraint("actual_samples IS NULL OR actual_samples >= 0", name="actual_samples_nonneg"),
        sa.CheckConstraint("extension_status IS NULL OR extension_status IN ('proposed', 'confirmed', 'declined')",
                           name="extension_status"),
        sa.CheckConstraint(f"price_unit IN {sql_in(('hour', 'sample'))}", name="price_unit"),
        sa.Index("ix_bookings_instrument_start", "instrument_id", "start"),
        sa.Index("ix_bookings_provider_status", "provider_org_id", "status"),
        sa.Index("ix_bookings_user_start", "user_id", "start"),
    )

    @property
    def payable(self) -> int:
        """What the user pays: fee minus the user-side subsidy (never negative)."""
        return max(0, (self.fee or 0) - (self.user_subsidy or 0))

    @property
    def amount_due(self) -> int:
        """What the booking organisation owes now: the payable once usage is recorded, or the
        late-cancellation / no-show fee until it is paid (no subsidy applies to that fee)."""
        if self.status == "completed":
            return self.payable
        if self.status in ("cancelled", "no_show") and self.cancel_fee_paid_at is None:
            return self.cancel_fee or 0
        return 0

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def __repr__(self):
        return f"<Booking {self.id} {self.instrument_id} {self.start}-{self.end} {self.status}>"


# PostgreSQL: the database itself refuses overlapping active bookings of one instrument.
# (SQLite: bookings are created inside BEGIN IMMEDIATE, see core/db.py, and checked before insert.)
PG_EXTENSION_DDL = "CREATE EXTENSION IF NOT EXISTS btree_gist"
PG_EXCLUSION_DDL = (
    "ALTER TABLE bookings ADD CONSTRAINT ex_bookings_no_overlap "
    "EXCLUDE USING gist (instrument_id WITH =, tsrange(start, \"end\", '[)') WITH &&) "
    f"WHERE (status IN {sql_in(ACTIVE_STATUSES)})"
)
EXCLUSION_CONSTRAINT = "ex_bookings_no_overlap"
sa.event.listen(Booking.__table__, "before_create",
                sa.DDL(PG_EXTENSION_DDL).execute_if(dialect="postgresql"))
sa.event.listen(Booking.__table__, "after_create",
                sa.DDL(PG_EXCLUSION_DDL).execute_if(dialect="postgresql"))


class Rating(db.Model):
    """The booking user's rating of the service, once per booking."""

    __tablename__ = "booking_ratings"
    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("bookings.id", ondelete="CASCADE"), unique=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    provider_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(sa.SmallInteger)
    comment: Mapped[str] = mapped_column(sa.String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    booking = relationship(Booking, back_populates="rating")
    user = relationship(User)

    __table_args__ = (sa.CheckConstraint("score BETWEEN 1 AND 5", name="score"),)


class CalendarToken(db.Model):
    """Secret for a user's ICS feed URL; only its SHA-256 is stored. Regenerating replaces it."""

    __tablename__ = "booking_calendar_tokens"
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# -- usage captured from the instrument itself ----------------------------------------------------

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
