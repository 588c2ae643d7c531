"""Self-reported yearly figures of an instrument's use off the platform.

Census figures computed from platform records are never stored: they are queried (services/census.py).
What a provider says about use outside the platform is stored here, labelled as self-reported, and
shown beside the computed figures, never added to them.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, User
from ..catalog.models import Instrument
from ..core.timeutil import utcnow
from ..extensions import db

MAX_YEAR_HOURS = 8784  # hours in a leap year: no instrument runs longer


class SelfReport(db.Model):
    __tablename__ = "census_self_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    hours: Mapped[int] = mapped_column(sa.Integer)            # whole hours used off the platform
    external_hours: Mapped[int] = mapped_column(sa.Integer)   # ... of which for other organisations
    orgs_served: Mapped[int] = mapped_column(sa.Integer)
    income: Mapped[int] = mapped_column(sa.BigInteger)        # fen
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    instrument = relationship(Instrument, lazy="joined")
    org = relationship(Organisation)
    created_by = relationship(User)

    __table_args__ = (
        sa.UniqueConstraint("instrument_id", "year", name="uq_census_self_reports_inst_year"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        sa.CheckConstraint(f"hours BETWEEN 0 AND {MAX_YEAR_HOURS}", name="hours"),
        sa.CheckConstraint("external_hours >= 0 AND external_hours <= hours", name="external_hours"),
        sa.CheckConstraint("orgs_served >= 0", name="orgs_served"),
        sa.CheckConstraint("income >= 0", name="income"),
        sa.Index("ix_census_self_reports_year_org", "year", "org_id"),
    )

    def __repr__(self):
        return f"<SelfReport {self.instrument_id} {self.year} {self.hours}h>"
