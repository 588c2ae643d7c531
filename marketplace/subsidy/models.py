"""Subsidy programmes, provider grades, per-booking reservations and settlements (the journal: `ledger`).

Money is int fen; rates and factors are basis points (1 bp = 0.01 %).
The programme row carries the running `reserved` and `committed` totals; the database refuses
any state where they exceed the budget (CHECK), and services change them only with conditional
UPDATE statements, so concurrent approvals can never overdraw it.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation
from ..core.reference import sql_in
from ..core.timeutil import utcnow
from ..extensions import db
from .states import GRADES, PAYOUT_STATUSES, PERIODS, RESERVATION_STATUSES  # noqa: F401  (the one list of each, in states.py)


class Programme(db.Model):
    """A two-sided subsidy programme (e.g. 2026 年度大型科学仪器共享双向补贴)."""

    __tablename__ = "subsidy_programmes"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    year: Mapped[int] = mapped_column(sa.Integer, unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    budget: Mapped[int] = mapped_column(sa.BigInteger)
    reserved: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    committed: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # user side
    rate_default_bp: Mapped[int] = mapped_column(sa.Integer)
    rate_sme_bp: Mapped[int] = mapped_column(sa.Integer)
    rate_sme_high_tech_bp: Mapped[int] = mapped_column(sa.Integer)
    booking_cap: Mapped[int] = mapped_column(sa.BigInteger)
    org_year_cap: Mapped[int] = mapped_column(sa.BigInteger)
    min_original_value: Mapped[int] = mapped_column(sa.BigInteger)
    # provider side
    provider_rate_bp: Mapped[int] = mapped_column(sa.Integer)
    grade_a_bp: Mapped[int] = mapped_column(sa.Integer)
    grade_b_bp: Mapped[int] = mapped_column(sa.Integer)
    grade_c_bp: Mapped[int] = mapped_column(sa.Integer)
    grade_d_bp: Mapped[int] = mapped_column(sa.Integer)
    ungraded: Mapped[str] = mapped_column(sa.String(1))  # grade assumed for unrated providers
    provider_unit_cap: Mapped[int] = mapped_column(sa.BigInteger)
    # exclusions and period
    exclude_internal: Mapped[bool] = mapped_column(default=True)
    exclude_related: Mapped[bool] = mapped_column(default=True)
    settlement_period: Mapped[str] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.CheckConstraint("budget >= 0 AND reserved >= 0 AND committed >= 0", name="nonneg"),
        sa.CheckConstraint("reserved + committed <= budget", name="within_budget"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        sa.CheckConstraint(
            "rate_default_bp BETWEEN 0 AND 10000 AND rate_sme_bp BETWEEN 0 AND 10000 "
            "AND rate_sme_high_tech_bp BETWEEN 0 AND 10000 AND provider_rate_bp BETWEEN 0 AND 10000 "
            "AND grade_a_bp BETWEEN 0 AND 10000 AND grade_b_bp BETWEEN 0 AND 10000 "
            "AND grade_c_bp BETWEEN 0 AND 10000 AND grade_d_bp BETWEEN 0 AND 10000", name="rates"),
        sa.CheckConstraint("booking_cap >= 0 AND org_year_cap >= 0 AND min_original_value >= 0 "
                           "AND provider_unit_cap >= 0", name="caps"),
        sa.CheckConstraint(f"ungraded IN {sql_in(GRADES)}", name="ungraded"),
        sa.CheckConstraint(f"settlement_period IN {sql_in(PERIODS)}", name="period"),
    )

    @property
    def state(self) -> str:
        """The programme's state for its state machine (states.PROGRAMME): active or inactive."""
        return "active" if self.active else "inactive"

    @state.setter
    def state(self, value: str):
        self.active = value == "active"

    @property
    def remaining(self) -> int:
        return self.budget - self.reserved - self.committed

    def grade_factor_bp(self, grade: str | None) -> int:
        return {"A": self.grade_a_bp, "B": self.grade_b_bp, "C": self.grade_c_bp,
                "D": self.grade_d_bp}[grade or self.ungraded]

    def __repr__(self):
        return f"<Programme {self.id} {self.year} {self.budget}>"


class ProviderGrade(db.Model):
    """The evaluation grade of a managing unit (provider organisation) in a programme."""

    __tablename__ = "subsidy_provider_grades"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("subsidy_programmes.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    grade: Mapped[str] = mapped_column(sa.String(1))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    org = relationship(Organisation)

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "org_id", name="uq_subsidy_provider_grades_prog_org"),
        sa.CheckConstraint(f"grade IN {sql_in(GRADES)}", name="grade"),
    )


class Reservation(db.Model):
    """The subsidy record of one booking: counted once (unique booking), traceable to the fen.

    `reserved` is what the budget holds for it now; `committed` what was committed at payment.
    Also carries the provider-side facts (fee, external flag) that period settlement sums.
    """

    __tablename__ = "subsidy_reservations"
    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("bookings.id", ondelete="RESTRICT"), unique=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("subsidy_programmes.id", ondelete="RESTRICT"))
    user_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    provider_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    fee: Mapped[int] = mapped_column(sa.BigInteger, default=0)         # fee the amount was computed from
    rate_bp: Mapped[int] = mapped_column(sa.Integer, default=0)
    rule_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # before budget/org caps
    reserved: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    committed: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    user_eligible: Mapped[bool] = mapped_column(default=False)
    provider_eligible: Mapped[bool] = mapped_column(default=False)  # external, unrelated use
    status: Mapped[str] = mapped_column(sa.String(12), default="reserved")
    reason_code: Mapped[str | None] = mapped_column(sa.String(30))
    reason: Mapped[str | None] = mapped_column(sa.String(300))
    committed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    programme = relationship(Programme)

    __table_args__ = (
        sa.CheckConstraint("fee >= 0 AND rule_amount >= 0 AND reserved >= 0 AND committed >= 0", name="nonneg"),
        sa.CheckConstraint(f"status IN {sql_in(RESERVATION_STATUSES)}", name="status"),
        sa.Index("ix_subsidy_reservations_org", "programme_id", "user_org_id"),
        sa.Index("ix_subsidy_reservations_settle", "programme_id", "status", "committed_at"),
    )


class Settlement(db.Model):
    """Provider-side settlement of one period; unique per (programme, period): idempotent."""

    __tablename__ = "subsidy_settlements"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("subsidy_programmes.id", ondelete="RESTRICT"))
    period: Mapped[str] = mapped_column(sa.String(8))          # 2026Q4, 2026H1, 2026
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    income: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    computed: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    awarded: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    prorated: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme = relationship(Programme)
    lines = relationship("SettlementLine", order_by="SettlementLine.org_id", lazy="selectin")

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "period", name="uq_subsidy_settlements_prog_period"),
        sa.CheckConstraint("income >= 0 AND computed >= 0 AND awarded >= 0 AND awarded <= computed",
                           name="amounts"),
    )


class SettlementLine(db.Model):
    __tablename__ = "subsidy_settlement_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(sa.ForeignKey("subsidy_settlements.id", ondelete="RESTRICT"))
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    bookings: Mapped[int] = mapped_column(sa.Integer, default=0)
    income: Mapped[int] = mapped_column(sa.BigInteger)
    grade: Mapped[str] = mapped_column(sa.String(1))
    computed: Mapped[int] = mapped_column(sa.BigInteger)   # rate × grade, after the yearly unit cap
    awarded: Mapped[int] = mapped_column(sa.BigInteger)    # after pro-rating

    org = relationship(Organisation, lazy="selectin")  # settlement pages list every line's unit

    __table_args__ = (
        sa.UniqueConstraint("settlement_id", "org_id", name="uq_subsidy_settlement_lines_s_org"),
        sa.CheckConstraint("income >= 0 AND computed >= 0 AND awarded >= 0 AND awarded <= computed",
                           name="amounts"),
    )


class Payout(db.Model):
    """One payment to a managing unit of what it was owed, under a unique voucher number.

    The money moved is the journal entry `entry_id`; a reversal posts the mirror entry
    (`reversal_entry_id`), never touching the first, and the amount is owed again.
    """

    __tablename__ = "subsidy_payouts"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    voucher: Mapped[str] = mapped_column(sa.String(40), unique=True)
    service: Mapped[int] = mapped_column(sa.BigInteger)   # provider_payable cleared, fen
    subsidy: Mapped[int] = mapped_column(sa.BigInteger)   # provider_subsidy_payable cleared, fen
    # kept back against provider subsidy the unit owes back (reversed after it was paid out), fen
    offset: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    total: Mapped[int] = mapped_column(sa.BigInteger)  # what the bank paid: service + subsidy − offset
    status: Mapped[str] = mapped_column(sa.String(12), default="paid")
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True)
    reversal_entry_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True)
    reversal_reason: Mapped[str | None] = mapped_column(sa.String(300))
    reversed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    reversed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    org = relationship(Organisation, lazy="selectin")
    created_by = relationship("User", foreign_keys=[created_by_id], lazy="selectin")
    reversed_by = relationship("User", foreign_keys=[reversed_by_id], lazy="selectin")

    __table_args__ = (
        sa.CheckConstraint('service >= 0 AND subsidy >= 0 AND "offset" >= 0 AND total > 0 '
                           'AND total = service + subsidy - "offset"', name="amounts"),
        sa.CheckConstraint(f"status IN {sql_in(PAYOUT_STATUSES)}", name="status"),
        sa.CheckConstraint("status <> 'reversed' OR (reversal_entry_id IS NOT NULL AND reversal_reason IS NOT NULL)",
                           name="reversal_recorded"),
    )
