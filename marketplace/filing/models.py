"""Technology-manager firms (技术经理人事务所), their managers, documents, review comments, filing
numbers, annual reports, reminders and evaluations.

One `Firm` row is one filing: it is created as a draft and carries the filing state; /filings/ID and
/firms/ID name the same row. Money is int fen.
"""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.reference import CITIES, sql_in
from ..core.timeutil import utcnow
from ..extensions import db
from .states import FILING, GRADES, LEVELS, REPORT, SECTIONS


class Firm(db.Model):
    __tablename__ = "firms"
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft", index=True)
    applicant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The service-firm organisation: the applicant's at creation, or created at approval.
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    uscc: Mapped[str] = mapped_column(sa.String(18), default="")
    legal_rep: Mapped[str] = mapped_column(sa.String(60), default="")
    city: Mapped[str | None] = mapped_column(sa.String(10), index=True)
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    founded_on: Mapped[date | None]
    business_scope: Mapped[str] = mapped_column(sa.Text, default="")
    premises_m2: Mapped[int | None] = mapped_column(sa.Integer)
    number: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    number_year: Mapped[int | None] = mapped_column(sa.Integer)
    number_seq: Mapped[int | None] = mapped_column(sa.Integer)
    review_round: Mapped[int] = mapped_column(sa.Integer, default=0)  # returns so far
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    reject_reason: Mapped[str | None] = mapped_column(sa.Text)
    suspend_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    managers = relationship("FirmManager", cascade="all, delete-orphan", order_by="FirmManager.position",
                            back_populates="firm", lazy="selectin")
    document_rows = relationship("FirmDocument", cascade="all, delete-orphan", lazy="selectin",
                                 order_by="FirmDocument.position")
    comments = relationship("FirmComment", cascade="all, delete-orphan", lazy="select",
                            order_by="(FirmComment.round, FirmComment.id)")
    applicant = relationship("User", foreign_keys=[applicant_id])
    organisation = relationship("Organisation", foreign_keys=[org_id])

    __table_args__ = (
        sa.CheckConstraint(f"status IN {sql_in(FILING.states)}", name="status"),
        sa.CheckConstraint(f"city IS NULL OR city IN {sql_in(CITIES)}", name="city"),
        sa.CheckConstraint("premises_m2 IS NULL OR premises_m2 BETWEEN 0 AND 10000000", name="premises"),
        sa.CheckConstraint("number_seq IS NULL OR number_seq BETWEEN 1 AND 9999", name="number_seq"),
        sa.CheckConstraint("(number IS NULL) = (number_year IS NULL) AND (number IS NULL) = (number_seq IS NULL)",
                           name="number_parts"),
        # One filing number per (year, serial): the guarantee under concurrent approvals.
        sa.UniqueConstraint("number_year", "number_seq", name="uq_firms_number_year_seq"),
    )

    @property
    def document_ids(self) -> list[int]:
        return [d.upload_id for d in self.document_rows]

    @property
    def is_active(self) -> bool:
        return self.status == "approved"

    def __repr__(self):
        return f"<Firm {self.id} {self.name} {self.status}>"


Filing = Firm  # the same row seen as an application


class FirmManager(db.Model):
    """A technology manager (技术经理人) listed in a filing. `active` is true exactly while the firm is
    approved; the partial unique indexes make a person (ID number, e-mail) active in one firm at most."""

    __tablename__ = "firm_managers"
    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firms.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    name: Mapped[str] = mapped_column(sa.String(60), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    id_number: Mapped[str] = mapped_column(sa.String(18), default="")  # never shown publicly
    certificate_no: Mapped[str] = mapped_column(sa.String(60), default="")
    level: Mapped[str | None] = mapped_column(sa.String(20))
    degree: Mapped[str] = mapped_column(sa.String(40), default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool] = mapped_column(default=False)

    firm = relationship(Firm, back_populates="managers")
    user = relationship("User")

    __table_args__ = (
        sa.CheckConstraint(f"level IS NULL OR level IN {sql_in(LEVELS)}", name="level"),
        sa.Index("uq_firm_managers_active_id_number", "id_number", unique=True,
                 sqlite_where=sa.text("active"), postgresql_where=sa.text("active")),
        sa.Index("uq_firm_managers_active_email", "email", unique=True,
                 sqlite_where=sa.text("active"), postgresql_where=sa.text("active")),
    )


class FirmDocument(db.Model):
    __tablename__ = "firm_documents"
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firms.id", ondelete="CASCADE"), primary_key=True)
    upload_id: Mapped[int] = mapped_column(sa.ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(sa.SmallInteger, default=0)

    upload = relationship("Upload", lazy="joined")


class FirmComment(db.Model):
    """A reviewer's comment on one section of a filing, in the review round it was returned in."""

    __tablename__ = "firm_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firms.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(sa.Integer)
    section: Mapped[str] = mapped_column(sa.String(20))
    body: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User")

    __table_args__ = (sa.CheckConstraint(f"section IN {sql_in(SECTIONS)}", name="section"),)


class FilingCounter(db.Model):
    """The last filing serial issued in a year; approvals increment it inside their transaction."""

    __tablename__ = "filing_counters"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(sa.Integer, default=0)

    __table_args__ = (sa.CheckConstraint("last BETWEEN 0 AND 9999", name="last"),)


class AnnualReport(db.Model):
    """A firm's yearly report: figures pre-filled from the platform plus off-platform figures (labelled)."""

    __tablename__ = "firm_annual_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firms.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    # From platform records (at creation; refreshed until submitted)
    deals_brokered: Mapped[int] = mapped_column(sa.Integer, default=0)
    registered_contracts: Mapped[int] = mapped_column(sa.Integer, default=0)
    contract_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    tech_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    amount_received: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    enterprises_served: Mapped[int] = mapped_column(sa.Integer, default=0)
    # Declared by the firm: what happened off the platform
    off_deals: Mapped[int] = mapped_column(sa.Integer, default=0)
    off_contract_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    off_tech_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    off_enterprises: Mapped[int] = mapped_column(sa.Integer, default=0)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    firm = relationship(Firm)

    __table_args__ = (
        sa.UniqueConstraint("firm_id", "year", name="uq_firm_annual_reports_firm_year"),
        sa.CheckConstraint(f"status IN {sql_in(REPORT.states)}", name="status"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2999", name="year"),
        sa.CheckConstraint("deals_brokered >= 0 AND registered_contracts >= 0 AND contract_amount >= 0 AND "
                           "tech_amount >= 0 AND amount_received >= 0 AND enterprises_served >= 0 AND "
                           "off_deals >= 0 AND off_contract_amount >= 0 AND off_tech_amount >= 0 AND "
                           "off_enterprises >= 0", name="non_negative"),
    )


class ReportReminder(db.Model):
    """What the sweep already did for a firm's report of a year: warned at 30 or 7 days, suspended."""

    __tablename__ = "firm_report_reminders"
    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firms.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("firm_id", "year", "kind", name="uq_firm_report_reminders_once"),
        sa.CheckConstraint("kind IN ('warn30', 'warn7', 'suspended')", name="kind"),
    )


class Evaluation(db.Model):
    """The yearly 100-point evaluation: 基础条件 10, 服务绩效 30, 服务能力 30, 规范管理 20, 社会信誉 10."""

    __tablename__ = "firm_evaluations"
    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firms.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    basic: Mapped[int] = mapped_column(sa.Integer)          # computed
    performance: Mapped[int] = mapped_column(sa.Integer)    # computed
    capability: Mapped[int] = mapped_column(sa.Integer)     # reviewer
    compliance: Mapped[int] = mapped_column(sa.Integer)     # computed part + reviewer part
    reputation: Mapped[int] = mapped_column(sa.Integer)     # reviewer
    total: Mapped[int] = mapped_column(sa.Integer)
    grade: Mapped[str] = mapped_column(sa.String(20))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    evaluator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("firm_id", "year", name="uq_firm_evaluations_firm_year"),
        sa.CheckConstraint("basic BETWEEN 0 AND 10 AND performance BETWEEN 0 AND 30 AND capability BETWEEN 0 AND 30 "
                           "AND compliance BETWEEN 0 AND 20 AND reputation BETWEEN 0 AND 10", name="parts"),
        sa.CheckConstraint("total = basic + performance + capability + compliance + reputation", name="total"),
        sa.CheckConstraint(f"grade IN {sql_in(GRADES)}", name="grade"),
    )
