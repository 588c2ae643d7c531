"""Monthly bills (对账单) and their lines, imported bank statements and their lines."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation
from ..booking.models import Booking
from ..core.reference import sql_in
from ..core.timeutil import utcnow
from ..extensions import db
from .states import BANK_LINE_STATUSES, BILL_STATUSES, INVOICE_KINDS, INVOICE_STATUSES, QUEUE_REASONS

LINE_KINDS = ("booking", "cancel_fee")  # a completed booking's net, or a late-cancellation / no-show fee


class Bill(db.Model):
    """One paying organisation's bill for one month: what it owes for the bookings and fees in it."""

    __tablename__ = "billing_bills"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    period: Mapped[str] = mapped_column(sa.String(7))  # YYYY-MM
    fee: Mapped[int] = mapped_column(sa.BigInteger)
    user_subsidy: Mapped[int] = mapped_column(sa.BigInteger)
    total: Mapped[int] = mapped_column(sa.BigInteger)  # fee - user_subsidy: what is owed
    paid_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    due_on: Mapped[date]
    remittance_code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    paid_by: Mapped[str | None] = mapped_column(sa.String(10))  # transfer | card
    paid_at: Mapped[datetime | None]
    last_reminder: Mapped[int | None] = mapped_column(sa.Integer)  # the last reminder sent (days from due)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    org = relationship(Organisation)
    lines = relationship("BillLine", back_populates="bill", order_by="BillLine.id")

    __table_args__ = (
        sa.CheckConstraint(f"status IN {sql_in(tuple(BILL_STATUSES))}", name="status"),
        sa.CheckConstraint("fee >= 0 AND user_subsidy >= 0 AND total = fee - user_subsidy AND total >= 0",
                           name="amounts"),
        sa.CheckConstraint("paid_amount >= 0 AND paid_amount <= total", name="paid_range"),
        sa.CheckConstraint("paid_by IS NULL OR paid_by IN ('transfer', 'card', 'none')", name="paid_by"),
        # One live bill per organisation and month: two concurrent closes make one bill.
        sa.Index("uq_billing_bills_org_period", "org_id", "period", unique=True,
                 sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'")),
        sa.Index("ix_billing_bills_status_due", "status", "due_on"),
    )


class BillLine(db.Model):
    __tablename__ = "billing_bill_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(sa.ForeignKey("billing_bills.id", ondelete="CASCADE"), index=True)
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("bookings.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    fee: Mapped[int] = mapped_column(sa.BigInteger)
    user_subsidy: Mapped[int] = mapped_column(sa.BigInteger)
    net: Mapped[int] = mapped_column(sa.BigInteger)
    # False once its bill is cancelled: the booking may then be billed again.
    live: Mapped[bool] = mapped_column(default=True)

    bill = relationship(Bill, back_populates="lines")
    booking = relationship(Booking)

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {sql_in(LINE_KINDS)}", name="kind"),
        sa.CheckConstraint("fee >= 0 AND user_subsidy >= 0 AND net = fee - user_subsidy AND net >= 0", name="amounts"),
        # A booking is on one live bill at most, whichever month or close put it there.
        sa.Index("uq_billing_bill_lines_booking_live", "booking_id", unique=True,
                 sqlite_where=sa.text("live"), postgresql_where=sa.text("live")),
    )


class BankStatement(db.Model):
    """One imported statement file (the same file twice is recognised by its digest)."""

    __tablename__ = "billing_bank_statements"
    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    format: Mapped[str] = mapped_column(sa.String(10))
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    lines_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.CheckConstraint("format IN ('csv', 'camt053')", name="format"),)


class BankLine(db.Model):
    """One credit on the platform's account: matched to a bill, or waiting for finance."""

    __tablename__ = "billing_bank_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(sa.ForeignKey("billing_bank_statements.id", ondelete="RESTRICT"),
                                              index=True)
    transaction_id: Mapped[str] = mapped_column(sa.String(64))  # 交易流水号 / AcctSvcrRef
    booked_on: Mapped[date]
    payer_name: Mapped[str] = mapped_column(sa.String(200))
    payer_account: Mapped[str] = mapped_column(sa.String(64))
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    remark: Mapped[str] = mapped_column(sa.String(500))
    remittance_code: Mapped[str | None] = mapped_column(sa.String(12))
    status: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str | None] = mapped_column(sa.String(20))
    bill_id: Mapped[int | None] = mapped_column(sa.ForeignKey("billing_bills.id", ondelete="RESTRICT"), index=True)
    # What the code belongs to, whoever owns it (billing.remittance): "bill", "deal_instalment", … and its id.
    owner: Mapped[str | None] = mapped_column(sa.String(20))
    owner_ref: Mapped[int | None] = mapped_column(sa.Integer)
    # The first line with this 交易流水号 (NULL on it): a duplicate waits, never applied twice.
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("billing_bank_lines.id", ondelete="RESTRICT"))
    note: Mapped[str | None] = mapped_column(sa.String(300))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]

    statement = relationship(BankStatement)
    bill = relationship(Bill)

    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_pos"),
        sa.CheckConstraint(f"status IN {sql_in(tuple(BANK_LINE_STATUSES))}", name="status"),
        sa.CheckConstraint(f"reason IS NULL OR reason IN {sql_in(tuple(QUEUE_REASONS))}", name="reason"),
        # One first line per bank transaction: a second import of it is a duplicate, never a second payment.
        sa.Index("uq_billing_bank_lines_transaction", "transaction_id", unique=True,
                 sqlite_where=sa.text("duplicate_of_id IS NULL"), postgresql_where=sa.text("duplicate_of_id IS NULL")),
        sa.Index("ix_billing_bank_lines_status", "status"),
        sa.Index("ix_billing_bank_lines_owner", "owner", "owner_ref"),
        sa.CheckConstraint("(owner IS NULL) = (owner_ref IS NULL)", name="owner_pair"),
    )


class Invoice(db.Model):
    """A 发票 requested for a paid bill or a paid deal instalment, and what finance issued."""

    __tablename__ = "billing_invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    bill_id: Mapped[int | None] = mapped_column(sa.ForeignKey("billing_bills.id", ondelete="RESTRICT"), index=True)
    instalment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("trading_deal_instalments.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    title: Mapped[str] = mapped_column(sa.String(200))            # the buyer's name on the invoice
    tax_number: Mapped[str] = mapped_column(sa.String(18))        # the buyer's USCC
    address_phone: Mapped[str | None] = mapped_column(sa.String(200))
    bank_account: Mapped[str | None] = mapped_column(sa.String(200))
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[str] = mapped_column(sa.String(12), default="requested")
    number: Mapped[str | None] = mapped_column(sa.String(30))
    issued_on: Mapped[date | None]
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("uploads.id", ondelete="RESTRICT"))
    red_number: Mapped[str | None] = mapped_column(sa.String(30))
    red_issued_on: Mapped[date | None]
    red_reason: Mapped[str | None] = mapped_column(sa.String(300))
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    org = relationship(Organisation)
    bill = relationship(Bill)
    instalment = relationship("DealInstalment")

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {sql_in(tuple(INVOICE_KINDS))}", name="kind"),
        sa.CheckConstraint(f"status IN {sql_in(tuple(INVOICE_STATUSES))}", name="status"),
        sa.CheckConstraint("amount > 0", name="amount_pos"),
        sa.CheckConstraint("(bill_id IS NULL) <> (instalment_id IS NULL)", name="one_target"),
        sa.CheckConstraint("kind = 'normal' OR (address_phone IS NOT NULL AND bank_account IS NOT NULL)",
                           name="special_details"),
        sa.CheckConstraint("status = 'requested' OR (number IS NOT NULL AND issued_on IS NOT NULL)", name="issued"),
        # One live invoice per thing paid: never more invoiced than paid (a red-letter one frees it).
        sa.Index("uq_billing_invoices_bill_live", "bill_id", unique=True,
                 sqlite_where=sa.text("status != 'reversed' AND bill_id IS NOT NULL"),
                 postgresql_where=sa.text("status != 'reversed' AND bill_id IS NOT NULL")),
        sa.Index("uq_billing_invoices_instalment_live", "instalment_id", unique=True,
                 sqlite_where=sa.text("status != 'reversed' AND instalment_id IS NOT NULL"),
                 postgresql_where=sa.text("status != 'reversed' AND instalment_id IS NOT NULL")),
        sa.Index("uq_billing_invoices_number", "number", unique=True,
                 sqlite_where=sa.text("number IS NOT NULL"), postgresql_where=sa.text("number IS NOT NULL")),
    )
