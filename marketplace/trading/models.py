"""Technology demands, deals with their offers, objections and instalments (their payments are
`payments.models.Payment` rows of purpose "deal_instalment")."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, User
from ..core.reference import CITIES, sql_in
from ..core.remittance import new_remittance_code
from ..core.schema import MAX_FEN
from ..core.timeutil import utcnow
from ..extensions import db
from .states import (
    CANCEL_REASONS,
    CONTRACT_TYPES,
    DEAL_STATUSES,
    DEMAND_STATUSES,
    INSTALMENT_STATUSES,
    LISTING_MODES,
    MODES,
    OBJECTION_STATUSES,
    SIDES,
)


class Demand(db.Model):
    """A technology demand (技术需求) posted by an organisation, moderated like a listing."""

    __tablename__ = "trading_demands"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    field: Mapped[str] = mapped_column(sa.String(60), default="")
    city: Mapped[str] = mapped_column(sa.String(10))
    budget_min: Mapped[int | None] = mapped_column(sa.BigInteger)
    budget_max: Mapped[int | None] = mapped_column(sa.BigInteger)
    deadline: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    reject_reason: Mapped[str | None] = mapped_column(sa.String(500))
    notify_matches: Mapped[bool] = mapped_column(default=False)
    matches_checked_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]

    org = relationship(Organisation, lazy="joined")
    created_by = relationship(User)

    __table_args__ = (
        sa.CheckConstraint(f"status IN {sql_in(DEMAND_STATUSES)}", name="status"),
        sa.CheckConstraint(f"city IN {sql_in(CITIES)}", name="city"),
        sa.CheckConstraint(f"budget_min IS NULL OR (budget_min >= 0 AND budget_min <= {MAX_FEN})", name="budget_min"),
        sa.CheckConstraint(f"budget_max IS NULL OR (budget_max >= 0 AND budget_max <= {MAX_FEN})", name="budget_max"),
        sa.CheckConstraint("budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max",
                           name="budget_range"),
        sa.Index("ix_trading_demands_status_published", "status", "published_at"),
    )

    @property
    def is_public(self) -> bool:
        return self.status == "published"


class FirmCommissionRate(db.Model):
    """One entry of a broker firm's commission-rate history (basis points of each buyer payment), set by
    finance with the date it takes effect. The rate on a day is the entry with the latest effective date
    on or before it (a later entry for the same date supersedes an earlier one); entries are never edited.
    Without any entry the firm pays TRADING_COMMISSION_BP."""

    __tablename__ = "trading_firm_commission_rates"
    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firms.id", ondelete="CASCADE"))
    basis_points: Mapped[int] = mapped_column(sa.Integer)
    effective_on: Mapped[date] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    set_by = relationship(User, foreign_keys=[set_by_id])

    __table_args__ = (
        sa.CheckConstraint("basis_points >= 0 AND basis_points <= 10000", name="basis_points"),
        sa.Index("ix_trading_firm_commission_rates_firm", "firm_id", "effective_on", "id"),
    )


class AchievementWatch(db.Model):
    """A user who asked to be told when a new demand matches an achievement."""

    __tablename__ = "trading_achievement_watches"
    resource_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Deal(db.Model):
    """A technology transaction (交易) between a seller and a buyer organisation."""

    __tablename__ = "trading_deals"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    achievement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("resources.id", ondelete="RESTRICT"), index=True)
    demand_id: Mapped[int | None] = mapped_column(sa.ForeignKey("trading_demands.id", ondelete="RESTRICT"),
                                                  index=True)
    seller_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    buyer_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    broker_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    broker_firm_id: Mapped[int | None] = mapped_column(sa.ForeignKey("firms.id", ondelete="RESTRICT"), index=True)
    mode: Mapped[str] = mapped_column(sa.String(20))
    price_mode: Mapped[str] = mapped_column(sa.String(20), default="negotiated")
    state_owned: Mapped[bool] = mapped_column(default=False)
    amount: Mapped[int] = mapped_column(sa.BigInteger)           # the latest offer (or the agreed price)
    last_offer_side: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(20), default="negotiating")
    agreed_at: Mapped[datetime | None]
    notice_starts_at: Mapped[datetime | None]
    notice_ends_at: Mapped[datetime | None]
    objected_at: Mapped[datetime | None]
    contract_type: Mapped[str | None] = mapped_column(sa.String(20))
    total_amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    tech_amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    commission_bp: Mapped[int | None] = mapped_column(sa.Integer)  # broker firm's rate, basis points
    signed_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason_code: Mapped[str | None] = mapped_column(sa.String(20))
    cancel_comment: Mapped[str | None] = mapped_column(sa.String(2000))
    # When each party confirmed the broker's mandate (委托): until then the broker cannot bind that party.
    buyer_mandate_at: Mapped[datetime | None]
    seller_mandate_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    seller_org = relationship(Organisation, foreign_keys=[seller_org_id], lazy="joined")
    buyer_org = relationship(Organisation, foreign_keys=[buyer_org_id], lazy="joined")
    broker = relationship(User, foreign_keys=[broker_user_id])
    broker_firm = relationship("Firm", foreign_keys=[broker_firm_id])
    achievement = relationship("Resource", foreign_keys=[achievement_id])
    demand = relationship(Demand)
    offers = relationship("DealOffer", order_by="DealOffer.id", lazy="selectin", back_populates="deal")
    instalments = relationship("DealInstalment", order_by="DealInstalment.seq", lazy="selectin",
                               back_populates="deal")
    objections = relationship("DealObjection", order_by="DealObjection.id", lazy="selectin", back_populates="deal")
    signatures = relationship("DealSignature", order_by="DealSignature.side", lazy="selectin", back_populates="deal")

    __table_args__ = (
        sa.CheckConstraint(f"status IN {sql_in(DEAL_STATUSES)}", name="status"),
        sa.CheckConstraint(f"mode IN {sql_in(MODES)}", name="mode"),
        sa.CheckConstraint(f"price_mode IN {sql_in(LISTING_MODES)}", name="price_mode"),
        sa.CheckConstraint(f"last_offer_side IN {sql_in(SIDES)}", name="last_offer_side"),
        sa.CheckConstraint(f"contract_type IS NULL OR contract_type IN {sql_in(CONTRACT_TYPES)}",
                           name="contract_type"),
        sa.CheckConstraint(f"cancel_reason_code IS NULL OR cancel_reason_code IN {sql_in(CANCEL_REASONS)}",
                           name="cancel_reason"),
        sa.CheckConstraint(f"amount >= 0 AND amount <= {MAX_FEN}", name="amount"),
        sa.CheckConstraint("total_amount IS NULL OR (total_amount > 0 AND tech_amount >= 0 "
                           "AND tech_amount <= total_amount)", name="contract_amounts"),
        sa.CheckConstraint("commission_bp IS NULL OR (commission_bp >= 0 AND commission_bp <= 10000)",
                           name="commission_bp"),
        sa.CheckConstraint("achievement_id IS NOT NULL OR demand_id IS NOT NULL", name="subject"),
        sa.CheckConstraint("buyer_org_id <> seller_org_id", name="two_parties"),
        sa.Index("ix_trading_deals_status", "status", "notice_ends_at"),
    )

    @property
    def side_to_answer(self) -> str:
        return "seller" if self.last_offer_side == "buyer" else "buyer"


class DealOffer(db.Model):
    """An offer or counter-offer: amount and message, from one side."""

    __tablename__ = "trading_deal_offers"
    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("trading_deals.id", ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(sa.String(10))
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    message: Mapped[str] = mapped_column(sa.String(2000), default="")
    by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deal = relationship(Deal, back_populates="offers")
    by_user = relationship(User, lazy="joined")

    __table_args__ = (
        sa.CheckConstraint(f"side IN {sql_in(SIDES)}", name="side"),
        sa.CheckConstraint(f"amount >= 0 AND amount <= {MAX_FEN}", name="amount"),
    )


class DealSignature(db.Model):
    """One party's signature of the contract terms (type, amounts, schedule, contract file digest); the
    deal is signed once both parties' signatures carry the same `terms_digest`."""

    __tablename__ = "trading_deal_signatures"
    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("trading_deals.id", ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(sa.String(10))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    as_broker: Mapped[bool] = mapped_column(default=False)
    terms: Mapped[dict] = mapped_column(sa.JSON)
    terms_digest: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deal = relationship(Deal, back_populates="signatures")
    user = relationship(User, lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("deal_id", "side", name="uq_trading_deal_signatures_side"),
        sa.CheckConstraint(f"side IN {sql_in(SIDES)}", name="side"),
    )


class DealObjection(db.Model):
    """An objection to a deal in public notice (公示异议)."""

    __tablename__ = "trading_deal_objections"
    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("trading_deals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.String(2000))
    status: Mapped[str] = mapped_column(sa.String(10), default="open")
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    resolution_comment: Mapped[str | None] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    deal = relationship(Deal, back_populates="objections")

    __table_args__ = (sa.CheckConstraint(f"status IN {sql_in(OBJECTION_STATUSES)}", name="status"),)


class DealInstalment(db.Model):
    """One instalment of a signed deal's payment schedule."""

    __tablename__ = "trading_deal_instalments"
    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("trading_deals.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(sa.Integer)
    due_on: Mapped[date]
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[str] = mapped_column(sa.String(10), default="due")
    # What the buyer writes in the transfer's 附言 (core.remittance); the bank import matches it.
    remittance_code: Mapped[str] = mapped_column(sa.String(12), unique=True, default=new_remittance_code)
    paid_at: Mapped[datetime | None]  # when the money arrived in the supervised account (held)
    paid_by: Mapped[str | None] = mapped_column(sa.String(10))  # transfer | card
    released_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]
    refund_reason: Mapped[str | None] = mapped_column(sa.String(300))
    reminded_at: Mapped[datetime | None]

    deal = relationship(Deal, back_populates="instalments")

    __table_args__ = (
        sa.UniqueConstraint("deal_id", "seq", name="uq_trading_deal_instalments_seq"),
        sa.CheckConstraint(f"status IN {sql_in(INSTALMENT_STATUSES)}", name="status"),
        sa.CheckConstraint(f"amount > 0 AND amount <= {MAX_FEN}", name="amount"),
        sa.CheckConstraint("seq >= 1", name="seq"),
        sa.CheckConstraint("paid_by IS NULL OR paid_by IN ('transfer', 'card')", name="paid_by"),
        sa.CheckConstraint("status = 'due' OR paid_at IS NOT NULL", name="received"),
        sa.CheckConstraint("status != 'released' OR released_at IS NOT NULL", name="released"),
        sa.CheckConstraint("status != 'refunded' OR refunded_at IS NOT NULL", name="refunded"),
    )


class DealLedgerEntry(db.Model):
    """Which deal, instalment and payment a journal entry concerns: every fen of a deal is traceable."""

    __tablename__ = "trading_deal_ledger_entries"
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("journal_entries.id", ondelete="RESTRICT"), primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("trading_deals.id", ondelete="RESTRICT"), index=True)
    instalment_id: Mapped[int] = mapped_column(sa.ForeignKey("trading_deal_instalments.id", ondelete="RESTRICT"))
    # The card payment that brought the money in (NULL: a bank transfer, a release or a refund).
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payments.id", ondelete="RESTRICT"),
                                                   unique=True)
