"""Technology-contract registrations (技术合同认定登记), their items, grounds, documents and the
per-year, per-point serial counters behind the registration numbers."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.reference import sql_in
from ..core.timeutil import utcnow
from ..extensions import db
from .reference import CONTRACT_TYPES, GROUNDS, IP_KINDS, KINDS, NATURES, TECH_FIELDS
from .states import STATUSES

PARTY_FIELDS = ("name", "uscc", "city_code", "nature")


class ContractRegistration(db.Model):
    """One application: a new registration, or an amendment (变更) / cancellation (注销) of a
    registered one (`amends_id`). A registered new application holds the number and, after approved
    amendments, the latest figures of the contract."""

    __tablename__ = "contract_registrations"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10), default="new")
    amends_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contract_registrations.id", ondelete="RESTRICT"), index=True)
    deal_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)  # a signed deal on the hub
    applicant_org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(12), default="draft", index=True)

    project_name: Mapped[str] = mapped_column(sa.String(200))
    contract_type: Mapped[str] = mapped_column(sa.String(20), index=True)
    subtype: Mapped[str | None] = mapped_column(sa.String(30))
    buyer_name: Mapped[str] = mapped_column(sa.String(200))
    buyer_uscc: Mapped[str] = mapped_column(sa.String(18))
    buyer_city_code: Mapped[str] = mapped_column(sa.String(4))
    buyer_nature: Mapped[str] = mapped_column(sa.String(20))
    seller_name: Mapped[str] = mapped_column(sa.String(200))
    seller_uscc: Mapped[str] = mapped_column(sa.String(18))
    seller_city_code: Mapped[str] = mapped_column(sa.String(4), index=True)
    seller_nature: Mapped[str] = mapped_column(sa.String(20))
    signed_on: Mapped[date] = mapped_column(sa.Date)
    valid_until: Mapped[date] = mapped_column(sa.Date)
    tech_field: Mapped[str] = mapped_column(sa.String(40))
    ip_kind: Mapped[str] = mapped_column(sa.String(30))
    total_amount: Mapped[int] = mapped_column(sa.BigInteger)      # 合同成交额, fen
    non_tech_amount: Mapped[int] = mapped_column(sa.BigInteger)   # sum of the non-technical items, fen
    tech_amount: Mapped[int] = mapped_column(sa.BigInteger)       # 技术交易额 = total − non-technical

    submitted_on: Mapped[date | None] = mapped_column(sa.Date)    # local day of the latest submission
    due_on: Mapped[date | None] = mapped_column(sa.Date, index=True)  # while submitted; None = clock stopped
    due_provisional: Mapped[bool] = mapped_column(default=False)  # counted past the published calendar
    review_comment: Mapped[str | None] = mapped_column(sa.Text)   # the registrar's latest comment

    number: Mapped[str | None] = mapped_column(sa.String(14), unique=True)
    registered_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    amended_at: Mapped[datetime | None] = mapped_column()
    # The other party's confirmation (the buyer's member on the hub, the signed deal an application cites,
    # or, for a buyer the hub cannot verify, the registrar recording the buyer's written confirmation):
    # a registrar approves only a confirmed application (services.confirmation).
    buyer_confirmed_at: Mapped[datetime | None] = mapped_column()
    buyer_confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Printed on the certificate: public verification by number asks for it too (no enumeration by number).
    check_code: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    items = relationship("RegistrationItem", cascade="all, delete-orphan", lazy="selectin",
                         order_by="RegistrationItem.position")
    ground_rows = relationship("RegistrationGround", cascade="all, delete-orphan", lazy="selectin")
    document_rows = relationship("RegistrationDocument", cascade="all, delete-orphan", lazy="selectin")
    applicant_org = relationship("Organisation", lazy="select")
    amends = relationship("ContractRegistration", remote_side=[id], lazy="select")

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {sql_in(KINDS)}", name="kind"),
        sa.CheckConstraint("(kind = 'new') = (amends_id IS NULL)", name="amends_only_changes"),
        sa.CheckConstraint(f"status IN {sql_in(STATUSES)}", name="status"),
        sa.CheckConstraint(f"contract_type IN {sql_in(CONTRACT_TYPES)}", name="contract_type"),
        sa.CheckConstraint(f"buyer_nature IN {sql_in(NATURES)}", name="buyer_nature"),
        sa.CheckConstraint(f"seller_nature IN {sql_in(NATURES)}", name="seller_nature"),
        sa.CheckConstraint(f"tech_field IN {sql_in(TECH_FIELDS)}", name="tech_field"),
        sa.CheckConstraint(f"ip_kind IN {sql_in(IP_KINDS)}", name="ip_kind"),
        sa.CheckConstraint("total_amount >= 0 AND non_tech_amount >= 0 AND tech_amount >= 0", name="amounts"),
        sa.CheckConstraint("tech_amount = total_amount - non_tech_amount", name="tech_amount"),
        sa.CheckConstraint("valid_until >= signed_on", name="validity"),
        sa.CheckConstraint("(number IS NULL) OR (kind = 'new' AND length(number) = 14)", name="number"),
        sa.CheckConstraint("(status NOT IN ('registered', 'cancelled')) OR kind <> 'new' OR number IS NOT NULL",
                           name="registered_has_number"),
    )

    def party(self, side: str) -> dict:
        return {f: getattr(self, f"{side}_{f}") for f in PARTY_FIELDS}

    @property
    def buyer(self) -> dict:
        return self.party("buyer")

    @property
    def seller(self) -> dict:
        return self.party("seller")

    @property
    def non_tech_items(self) -> list[dict]:
        return [{"name": i.name, "amount": i.amount} for i in self.items]

    @property
    def grounds(self) -> list[str]:
        return sorted(g.code for g in self.ground_rows)

    @property
    def document_ids(self) -> list[int]:
        return sorted(d.upload_id for d in self.document_rows)

    @property
    def vat_exempt(self) -> bool:
        from .rules import vat_exempt
        return self.status == "registered" and vat_exempt(self.contract_type)

    @property
    def certificate_url(self) -> str | None:
        if not self.number:
            return None
        from flask import url_for
        return url_for("registration.certificate", registration_id=self.id)

    def __repr__(self):
        return f"<ContractRegistration {self.id} {self.kind} {self.status} {self.number or ''}>"


class RegistrationItem(db.Model):
    """A non-technical item of the contract (equipment, materials, …) with its amount."""

    __tablename__ = "contract_registration_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contract_registrations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    name: Mapped[str] = mapped_column(sa.String(200))
    amount: Mapped[int] = mapped_column(sa.BigInteger)

    __table_args__ = (sa.CheckConstraint("amount >= 0", name="amount"),)


class RegistrationGround(db.Model):
    """One ground of a refusal (several may apply)."""

    __tablename__ = "contract_registration_grounds"
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contract_registrations.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)

    __table_args__ = (sa.CheckConstraint(f"code IN {sql_in(GROUNDS)}", name="code"),)


class RegistrationDocument(db.Model):
    """A document of the application (contract file, technical plan, proof of IP rights): an upload id."""

    __tablename__ = "contract_registration_documents"
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contract_registrations.id", ondelete="CASCADE"), primary_key=True)
    upload_id: Mapped[int] = mapped_column(sa.ForeignKey("uploads.id", ondelete="RESTRICT"), primary_key=True,
                                           index=True)


class RegistrationSerial(db.Model):
    """The last serial issued per year, city and registration point. Approvals increment it inside
    their own transaction (a row lock on PostgreSQL, BEGIN IMMEDIATE on SQLite), so serials are unique
    and a rolled-back approval leaves no gap."""

    __tablename__ = "registration_serials"
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    city_code: Mapped[str] = mapped_column(sa.String(4), primary_key=True)
    point: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    last_serial: Mapped[int] = mapped_column(sa.Integer, default=0)

    __table_args__ = (sa.CheckConstraint("last_serial >= 0 AND last_serial < 1000000", name="last_serial"),)
