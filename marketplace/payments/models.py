"""Payments through the Stripe-compatible gateway, and the webhook events already processed."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..booking.models import Booking
from ..core.reference import sql_in
from ..core.timeutil import utcnow
from ..extensions import db
from .purposes import COLUMNS, reference_check
from .states import OPEN_STATUSES, PAYMENT_STATUSES, REUSABLE_STATUSES  # noqa: F401  (the one list, in states.py)


class Payment(db.Model):
    """One attempt to collect what a purpose (payments.purposes) is owed: a booking's payable or fee,
    a deal instalment, a monthly bill, an auction deposit. Stored BEFORE the gateway is called."""

    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(20), default="booking")
    # What it pays: exactly the column of its purpose is set (the CHECK below).
    booking_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bookings.id", ondelete="RESTRICT"), index=True)
    instalment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("trading_deal_instalments.id", ondelete="RESTRICT"), index=True)
    bill_id: Mapped[int | None] = mapped_column(sa.ForeignKey("billing_bills.id", ondelete="RESTRICT"), index=True)
    auction_registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("auction_registrations.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3), default="cny")
    idempotency_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    payment_intent_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    client_secret: Mapped[str | None] = mapped_column(sa.String(128))
    status: Mapped[str] = mapped_column(sa.String(30), default="created")
    failure_message: Mapped[str | None] = mapped_column(sa.String(300))
    refund_id: Mapped[str | None] = mapped_column(sa.String(64))
    refunded_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    succeeded_at: Mapped[datetime | None]

    booking = relationship(Booking)
    instalment = relationship("DealInstalment")  # by name: trading builds on payments, not the reverse
    bill = relationship("Bill")  # by name: billing builds on payments

    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_pos"),
        sa.CheckConstraint("refunded_amount >= 0 AND refunded_amount <= amount", name="refund_range"),
        sa.CheckConstraint(f"status IN {sql_in(PAYMENT_STATUSES)}", name="status"),
        sa.CheckConstraint("currency = 'cny'", name="currency"),
        sa.CheckConstraint(f"purpose IN {sql_in(tuple(COLUMNS))}", name="purpose"),
        sa.CheckConstraint(reference_check(), name="reference"),
        sa.Index("ix_payments_status", "status"),
        # The database itself refuses a second success, or a second open attempt, for one instalment.
        sa.Index("uq_payments_instalment_succeeded", "instalment_id", unique=True,
                 sqlite_where=sa.text("status = 'succeeded'"), postgresql_where=sa.text("status = 'succeeded'")),
        sa.Index("uq_payments_instalment_open", "instalment_id", unique=True,
                 sqlite_where=sa.text(f"status IN {sql_in(REUSABLE_STATUSES)}"),
                 postgresql_where=sa.text(f"status IN {sql_in(REUSABLE_STATUSES)}")),
        sa.Index("uq_payments_bill_succeeded", "bill_id", unique=True,
                 sqlite_where=sa.text("status = 'succeeded'"), postgresql_where=sa.text("status = 'succeeded'")),
        sa.Index("uq_payments_bill_open", "bill_id", unique=True,
                 sqlite_where=sa.text(f"status IN {sql_in(REUSABLE_STATUSES)}"),
                 postgresql_where=sa.text(f"status IN {sql_in(REUSABLE_STATUSES)}")),
        sa.Index("uq_payments_auction_deposit_succeeded", "auction_registration_id", unique=True,
                 sqlite_where=sa.text("status = 'succeeded'"), postgresql_where=sa.text("status = 'succeeded'")),
        sa.Index("uq_payments_auction_deposit_open", "auction_registration_id", unique=True,
                 sqlite_where=sa.text(f"status IN {sql_in(REUSABLE_STATUSES)}"),
                 postgresql_where=sa.text(f"status IN {sql_in(REUSABLE_STATUSES)}")),
    )


class WebhookEvent(db.Model):
    """Gateway events already processed: a replayed event id is ignored."""

    __tablename__ = "payment_webhook_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(100), unique=True)
    type: Mapped[str] = mapped_column(sa.String(60))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
