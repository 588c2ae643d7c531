"""An organisation's checked identity (1:1 with organisations) and its qualification claims.

Why a 1:1 table instead of columns on `organisations`: the identity is checked and audited on its own
(who set which USCC when), the unique USCC and the indexed root belong to this package's rules, and
the accounts package stays untouched. `Organisation.credit_code` is kept in step for older pages.
"""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.reference import sql_in
from ..core.timeutil import utcnow
from ..extensions import db
from .states import KINDS, OPEN_ENDED_KINDS, STATUSES


class OrganisationIdentity(db.Model):
    __tablename__ = "organisation_identities"
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True,
                                        autoincrement=False)
    # Not unique: a USCC typed first by someone else must not lock the real unit out. One organisation
    # holds it for real, the one whose business licence a reviewer verified (the unique index on verified
    # qualification numbers keeps that to one); the others are related to it (same root) and get nothing.
    uscc: Mapped[str] = mapped_column(sa.String(18), index=True)
    uscc_root: Mapped[str] = mapped_column(sa.String(9), index=True)  # rules.Uscc.root
    legal_name: Mapped[str] = mapped_column(sa.String(120))
    legal_rep: Mapped[str] = mapped_column(sa.String(60))
    legal_rep_key: Mapped[str | None] = mapped_column(sa.String(60), index=True)  # rules.person_key
    legal_rep_id: Mapped[str | None] = mapped_column(sa.String(64))  # SHA-256 of the ID number, never shown
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation = relationship("Organisation")

    __table_args__ = (
        sa.CheckConstraint("length(uscc) = 18", name="uscc_length"),
        sa.CheckConstraint("length(uscc_root) = 9", name="uscc_root_length"),
    )


class Qualification(db.Model):
    """A claimed qualification with its evidence; counts for subsidy rates only once verified and in force."""

    __tablename__ = "qualifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20), default="claimed")
    number: Mapped[str] = mapped_column(sa.String(40))
    uscc: Mapped[str] = mapped_column(sa.String(18))  # the organisation's USCC when claimed: a new USCC voids it
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    claimed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(sa.Text)  # why rejected or revoked (told to the organisation)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    organisation = relationship("Organisation")
    document_rows = relationship("QualificationDocument", cascade="all, delete-orphan", lazy="selectin",
                                 order_by="QualificationDocument.position")

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {sql_in(KINDS)}", name="kind"),
        sa.CheckConstraint(f"status IN {sql_in(STATUSES)}", name="status"),
        sa.CheckConstraint("valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from",
                           name="validity_order"),
        sa.CheckConstraint(f"kind IN {sql_in(OPEN_ENDED_KINDS)} OR (valid_from IS NOT NULL AND valid_until IS NOT NULL)",
                           name="validity_required"),
        sa.CheckConstraint("status NOT IN ('rejected', 'revoked') OR reason IS NOT NULL", name="reason_required"),
        # A certificate number is verified for one organisation at most.
        sa.Index("uq_qualifications_verified_number", "kind", "number", unique=True,
                 sqlite_where=sa.text("status = 'verified'"), postgresql_where=sa.text("status = 'verified'")),
    )

    @property
    def document_ids(self) -> list[int]:
        return [d.upload_id for d in self.document_rows]

    def __repr__(self):
        return f"<Qualification {self.id} {self.kind} {self.status}>"


class QualificationDocument(db.Model):
    __tablename__ = "qualification_documents"
    qualification_id: Mapped[int] = mapped_column(
        sa.ForeignKey("qualifications.id", ondelete="CASCADE"), primary_key=True)
    upload_id: Mapped[int] = mapped_column(sa.ForeignKey("uploads.id", ondelete="RESTRICT"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
