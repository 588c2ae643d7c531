"""Auctions (网络竞价) of listed achievements: their terms, the registered bidders and the bids.

The database holds what must never break: one auction per achievement at a time is the services',
but one bid per amount (UNIQUE auction_id, amount), positive steps, one registration per organisation
and one alias number per bidder are constraints.
"""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation
from ..core.reference import sql_in
from ..core.schema import MAX_FEN
from ..core.timeutil import utcnow
from ..extensions import db
from .states import AUCTION_STATUSES, FALLBACK_MODES, REGISTRATION_STATUSES


class Auction(db.Model):
    __tablename__ = "auctions"
    id: Mapped[int] = mapped_column(primary_key=True)
    achievement_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="RESTRICT"), index=True)
    seller_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    starting_price: Mapped[int] = mapped_column(sa.BigInteger)
    increment: Mapped[int] = mapped_column(sa.BigInteger)
    deposit: Mapped[int] = mapped_column(sa.BigInteger)
    registration_deadline: Mapped[datetime]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]                    # moves with each late bid (the time extension)
    original_ends_at: Mapped[datetime]
    extension_minutes: Mapped[int] = mapped_column(sa.Integer, default=5)
    fallback_mode: Mapped[str] = mapped_column(sa.String(20), default="negotiated")
    status: Mapped[str] = mapped_column(sa.String(20), default="pending_review")
    highest: Mapped[int | None] = mapped_column(sa.BigInteger)
    bid_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    extensions: Mapped[int] = mapped_column(sa.Integer, default=0)
    reject_reason: Mapped[str | None] = mapped_column(sa.String(500))
    deal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("trading_deals.id", ondelete="RESTRICT"))
    sign_by: Mapped[date | None]
    closed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    seller = relationship(Organisation)
    achievement = relationship("Resource")

    __table_args__ = (
        sa.CheckConstraint(f"status IN {sql_in(AUCTION_STATUSES)}", name="status"),
        sa.CheckConstraint(f"fallback_mode IN {sql_in(FALLBACK_MODES)}", name="fallback_mode"),
        sa.CheckConstraint(f"starting_price > 0 AND starting_price <= {MAX_FEN}", name="starting_price"),
        sa.CheckConstraint(f"increment > 0 AND increment <= {MAX_FEN}", name="increment"),
        sa.CheckConstraint("deposit >= 0 AND deposit <= starting_price", name="deposit"),
        sa.CheckConstraint("extension_minutes BETWEEN 1 AND 60", name="extension_minutes"),
        sa.CheckConstraint("registration_deadline <= starts_at AND starts_at < ends_at", name="times"),
        sa.CheckConstraint("highest IS NULL OR highest >= starting_price", name="highest"),
    )


class AuctionRegistration(db.Model):
    """An organisation's registration (报名) with its deposit; bids show it as 竞买人 alias_no."""

    __tablename__ = "auction_registrations"
    id: Mapped[int] = mapped_column(primary_key=True)
    auction_id: Mapped[int] = mapped_column(sa.ForeignKey("auctions.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    alias_no: Mapped[int] = mapped_column(sa.Integer)
    deposit: Mapped[int] = mapped_column(sa.BigInteger)
    remittance_code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    deposit_via: Mapped[str | None] = mapped_column(sa.String(20))
    deposit_reference: Mapped[str | None] = mapped_column(sa.String(100))
    deposit_paid_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    refund_due_on: Mapped[date | None]
    refund_reference: Mapped[str | None] = mapped_column(sa.String(100))
    settled_at: Mapped[datetime | None]          # refunded, applied to the price or forfeited
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    org = relationship(Organisation)
    auction = relationship(Auction, backref="registrations")

    __table_args__ = (
        sa.UniqueConstraint("auction_id", "org_id", name="uq_auction_registrations_org"),
        sa.UniqueConstraint("auction_id", "alias_no", name="uq_auction_registrations_alias"),
        sa.CheckConstraint(f"status IN {sql_in(REGISTRATION_STATUSES)}", name="status"),
        sa.CheckConstraint("deposit >= 0", name="deposit"),
        sa.CheckConstraint("alias_no >= 1", name="alias_no"),
        sa.CheckConstraint("deposit_via IS NULL OR deposit_via IN ('transfer', 'card', 'none')", name="deposit_via"),
    )

    @property
    def alias(self) -> str:
        return f"竞买人 {self.alias_no}"


class Bid(db.Model):
    """An accepted bid: final, public, one per amount (the database refuses a second at the same amount)."""

    __tablename__ = "auction_bids"
    id: Mapped[int] = mapped_column(primary_key=True)
    auction_id: Mapped[int] = mapped_column(sa.ForeignKey("auctions.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("auction_registrations.id", ondelete="RESTRICT"))
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    extended_to: Mapped[datetime | None]          # the end this bid moved the auction to, if it did
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration = relationship(AuctionRegistration, lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("auction_id", "amount", name="uq_auction_bids_amount"),
        sa.CheckConstraint(f"amount > 0 AND amount <= {MAX_FEN}", name="amount"),
    )


class AuctionLedgerEntry(db.Model):
    """Links a journal entry to the auction and registration whose deposit it moved."""

    __tablename__ = "auction_ledger_entries"
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("journal_entries.id", ondelete="RESTRICT"), primary_key=True)
    auction_id: Mapped[int] = mapped_column(sa.ForeignKey("auctions.id", ondelete="RESTRICT"), index=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("auction_registrations.id", ondelete="RESTRICT"),
                                                 index=True)
