"""Requests of every kind in one table; what differs per kind lives in `details` (validated by the kind's
schema), with the amounts the database must police (amount, term) in checked columns.

Also here: the timeline a requester sees, the three-party confirmations of a secondment, the open calls
a request may answer, and two declared facts about companies the rules need (revenue, founders and
investors), kept in tables of their own so the organisation model stays untouched.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, User
from ..catalog.models import Resource
from ..core.reference import sql_in
from ..core.timeutil import utcnow
from ..extensions import db
from .states import SECONDMENT_PARTIES, STATUSES

KINDS = ("incubation", "loan", "equity", "finance_service", "consulting", "secondment", "data_access", "material")


class RequestCall(db.Model):
    """An open call (申报通知): a kind of request accepted until a deadline, e.g. a 苏科贷 intake."""

    __tablename__ = "request_calls"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    platform: Mapped[str] = mapped_column(sa.String(20))
    resource_id: Mapped[int | None] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"))
    opens_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    resource = relationship(Resource)
    __table_args__ = (sa.CheckConstraint(f"kind IN {sql_in(KINDS)}", name="kind"),
                      sa.CheckConstraint("deadline > opens_at", name="window"))


class ServiceRequest(db.Model):
    __tablename__ = "service_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    resource_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="RESTRICT"), index=True)
    handler_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    requester_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    requester_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"),
                                                         index=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"), index=True)
    call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("request_calls.id", ondelete="SET NULL"))
    researcher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(200))
    amount: Mapped[int | None] = mapped_column(sa.BigInteger)         # fen: loan, equity, secondment pay
    term_months: Mapped[int | None] = mapped_column(sa.Integer)
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    decline_reason: Mapped[str | None] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    resource = relationship(Resource, lazy="joined")
    handler_org = relationship(Organisation, foreign_keys=[handler_org_id])
    requester = relationship(User, foreign_keys=[requester_id])
    requester_org = relationship(Organisation, foreign_keys=[requester_org_id])
    researcher = relationship(User, foreign_keys=[researcher_id])
    event = relationship("Event")
    call = relationship(RequestCall)
    steps = relationship("RequestStep", order_by="(RequestStep.created_at, RequestStep.id)",
                         cascade="all, delete-orphan", back_populates="request")
    confirmations = relationship("RequestConfirmation", cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {sql_in(KINDS)}", name="kind"),
        sa.CheckConstraint(f"status IN {sql_in(STATUSES)}", name="status"),
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name="amount_nonneg"),
        sa.CheckConstraint("term_months IS NULL OR term_months BETWEEN 1 AND 600", name="term"),
        sa.Index("ix_service_requests_queue", "handler_org_id", "status"),
    )


class RequestStep(db.Model):
    """One line of the timeline the requester sees: a transition or a note from offline follow-up."""

    __tablename__ = "service_request_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("service_requests.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request = relationship(ServiceRequest, back_populates="steps")
    actor = relationship(User)


class RequestConfirmation(db.Model):
    """A party's confirmation of a secondment's three-party agreement; one per party."""

    __tablename__ = "service_request_confirmations"
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("service_requests.id", ondelete="CASCADE"),
                                            primary_key=True)
    party: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.CheckConstraint(f"party IN {sql_in(SECONDMENT_PARTIES)}", name="party"),)


class DatasetFile(db.Model):
    """A dataset's file, kept by the uploads package (open data downloads it; on request, after access)."""

    __tablename__ = "dataset_files"
    resource_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True)
    upload_id: Mapped[int] = mapped_column(sa.ForeignKey("uploads.id", ondelete="RESTRICT"), index=True)
    attached_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    attached_at: Mapped[datetime] = mapped_column(default=utcnow)

    resource = relationship(Resource)


class OrgRevenue(db.Model):
    """A company's yearly revenue (fen): declared by the company, verified by the city bureau (staff)
    when it accepts a loan application. Loan caps use the verified figure when there is one."""

    __tablename__ = "org_revenues"
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    revenue: Mapped[int] = mapped_column(sa.BigInteger)
    declared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.CheckConstraint("revenue >= 0", name="revenue_nonneg"),
                      sa.CheckConstraint("year BETWEEN 1990 AND 2100", name="year"))

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


class OrgStake(db.Model):
    """A declared founder or investor of a company: an organisation, or a person by ID number (only its
    SHA-256 is stored). A secondment is refused when the researcher or the sending unit is one."""

    __tablename__ = "org_stakes"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(sa.String(20))
    holder_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    holder_id_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    holder_name: Mapped[str] = mapped_column(sa.String(120))
    declared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("relation IN ('founder', 'investor')", name="relation"),
        sa.CheckConstraint("holder_org_id IS NOT NULL OR holder_id_hash IS NOT NULL", name="holder"),
    )
