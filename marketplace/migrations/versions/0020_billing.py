"""billing: monthly bills and their lines, bank statements and their lines, invoices (发票); a booking may be `refunded`; payments pay bills too

Revision ID: 0020_billing
Revises: 0022_open_catalogue
Create Date: 2026-12-07 15:05:16

A payment's purpose may now be 'bill' (payments.bill_id); the purpose and reference CHECKs are
rebuilt with it (payments.purposes.reference_check()).
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020_billing'
down_revision = '0022_open_catalogue'
branch_labels = None
depends_on = None

OLD_PURPOSES = "purpose IN ('booking', 'deal_instalment')"
OLD_REFERENCE = ("(purpose = 'booking' AND booking_id IS NOT NULL AND instalment_id IS NULL) OR "
                 "(purpose = 'deal_instalment' AND instalment_id IS NOT NULL AND booking_id IS NULL)")
NEW_PURPOSES = "purpose IN ('booking', 'deal_instalment', 'bill')"
NEW_REFERENCE = (
    "(purpose = 'booking' AND booking_id IS NOT NULL AND instalment_id IS NULL AND bill_id IS NULL) OR "
    "(purpose = 'deal_instalment' AND instalment_id IS NOT NULL AND booking_id IS NULL AND bill_id IS NULL) OR "
    "(purpose = 'bill' AND bill_id IS NOT NULL AND booking_id IS NULL AND instalment_id IS NULL)")


OLD_BOOKING = "status IN ('requested', 'approved', 'rejected', 'in_use', 'completed', 'settled', 'cancelled', 'no_show')"
NEW_BOOKING = ("status IN ('requested', 'approved', 'rejected', 'in_use', 'completed', 'settled', 'refunded', "
               "'cancelled', 'no_show')")


def _booking_statuses(check: str):
    """A refunded booking shows `refunded`, never `settled` (booking/states.py)."""
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_bookings_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_bookings_status'), check)


def _defer_foreign_keys():
    """SQLite's batch mode copies and drops referenced tables (payments): check the keys at commit."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA defer_foreign_keys = ON")


def upgrade():
    _defer_foreign_keys()
    _booking_statuses(NEW_BOOKING)
    op.create_table('billing_bills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('fee', sa.BigInteger(), nullable=False),
    sa.Column('user_subsidy', sa.BigInteger(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('paid_amount', sa.BigInteger(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('remittance_code', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('paid_by', sa.String(length=10), nullable=True),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.Column('last_reminder', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("paid_by IS NULL OR paid_by IN ('transfer', 'card', 'none')", name=op.f('ck_billing_bills_paid_by')),
    sa.CheckConstraint("status IN ('open', 'paid', 'overdue', 'cancelled')", name=op.f('ck_billing_bills_status')),
    sa.CheckConstraint('fee >= 0 AND user_subsidy >= 0 AND total = fee - user_subsidy AND total >= 0', name=op.f('ck_billing_bills_amounts')),
    sa.CheckConstraint('paid_amount >= 0 AND paid_amount <= total', name=op.f('ck_billing_bills_paid_range')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_billing_bills_org_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_bills')),
    sa.UniqueConstraint('remittance_code', name=op.f('uq_billing_bills_remittance_code'))
    )
    with op.batch_alter_table('billing_bills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_bills_org_id'), ['org_id'], unique=False)
        batch_op.create_index('ix_billing_bills_status_due', ['status', 'due_on'], unique=False)
        batch_op.create_index('uq_billing_bills_org_period', ['org_id', 'period'], unique=True, sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))

    op.create_table('billing_bank_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('lines_count', sa.Integer(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("format IN ('csv', 'camt053')", name=op.f('ck_billing_bank_statements_format')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_billing_bank_statements_imported_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_bank_statements')),
    sa.UniqueConstraint('sha256', name=op.f('uq_billing_bank_statements_sha256'))
    )
    op.create_table('billing_bank_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.String(length=64), nullable=False),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('payer_name', sa.String(length=200), nullable=False),
    sa.Column('payer_account', sa.String(length=64), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('remark', sa.String(length=500), nullable=False),
    sa.Column('remittance_code', sa.String(length=12), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=True),
    sa.Column('bill_id', sa.Integer(), nullable=True),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("reason IS NULL OR reason IN ('unknown_code', 'no_bill', 'short', 'excess', 'already_paid', 'duplicate')", name=op.f('ck_billing_bank_lines_reason')),
    sa.CheckConstraint("status IN ('matched', 'unmatched', 'assigned', 'returned')", name=op.f('ck_billing_bank_lines_status')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_billing_bank_lines_amount_pos')),
    sa.ForeignKeyConstraint(['bill_id'], ['billing_bills.id'], name=op.f('fk_billing_bank_lines_bill_id_billing_bills'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_billing_bank_lines_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['billing_bank_lines.id'], name=op.f('fk_billing_bank_lines_duplicate_of_id_billing_bank_lines'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['statement_id'], ['billing_bank_statements.id'], name=op.f('fk_billing_bank_lines_statement_id_billing_bank_statements'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_bank_lines'))
    )
    with op.batch_alter_table('billing_bank_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_bank_lines_bill_id'), ['bill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_bank_lines_statement_id'), ['statement_id'], unique=False)
        batch_op.create_index('ix_billing_bank_lines_status', ['status'], unique=False)
        batch_op.create_index('uq_billing_bank_lines_transaction', ['transaction_id'], unique=True, sqlite_where=sa.text('duplicate_of_id IS NULL'), postgresql_where=sa.text('duplicate_of_id IS NULL'))

    op.create_table('billing_bill_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('fee', sa.BigInteger(), nullable=False),
    sa.Column('user_subsidy', sa.BigInteger(), nullable=False),
    sa.Column('net', sa.BigInteger(), nullable=False),
    sa.Column('live', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('booking', 'cancel_fee')", name=op.f('ck_billing_bill_lines_kind')),
    sa.CheckConstraint('fee >= 0 AND user_subsidy >= 0 AND net = fee - user_subsidy AND net >= 0', name=op.f('ck_billing_bill_lines_amounts')),
    sa.ForeignKeyConstraint(['bill_id'], ['billing_bills.id'], name=op.f('fk_billing_bill_lines_bill_id_billing_bills'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_billing_bill_lines_booking_id_bookings'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_bill_lines'))
    )
    with op.batch_alter_table('billing_bill_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_bill_lines_bill_id'), ['bill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_bill_lines_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index('uq_billing_bill_lines_booking_live', ['booking_id'], unique=True, sqlite_where=sa.text('live'), postgresql_where=sa.text('live'))

    op.create_table('billing_invoices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=True),
    sa.Column('instalment_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('tax_number', sa.String(length=18), nullable=False),
    sa.Column('address_phone', sa.String(length=200), nullable=True),
    sa.Column('bank_account', sa.String(length=200), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('red_number', sa.String(length=30), nullable=True),
    sa.Column('red_issued_on', sa.Date(), nullable=True),
    sa.Column('red_reason', sa.String(length=300), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind = 'normal' OR (address_phone IS NOT NULL AND bank_account IS NOT NULL)", name=op.f('ck_billing_invoices_special_details')),
    sa.CheckConstraint("kind IN ('normal', 'special')", name=op.f('ck_billing_invoices_kind')),
    sa.CheckConstraint("status = 'requested' OR (number IS NOT NULL AND issued_on IS NOT NULL)", name=op.f('ck_billing_invoices_issued')),
    sa.CheckConstraint("status IN ('requested', 'issued', 'reversed')", name=op.f('ck_billing_invoices_status')),
    sa.CheckConstraint('(bill_id IS NULL) <> (instalment_id IS NULL)', name=op.f('ck_billing_invoices_one_target')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_billing_invoices_amount_pos')),
    sa.ForeignKeyConstraint(['bill_id'], ['billing_bills.id'], name=op.f('fk_billing_invoices_bill_id_billing_bills'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['document_id'], ['uploads.id'], name=op.f('fk_billing_invoices_document_id_uploads'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['instalment_id'], ['trading_deal_instalments.id'], name=op.f('fk_billing_invoices_instalment_id_trading_deal_instalments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_billing_invoices_org_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_billing_invoices_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_invoices'))
    )
    with op.batch_alter_table('billing_invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_invoices_bill_id'), ['bill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_invoices_instalment_id'), ['instalment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_invoices_org_id'), ['org_id'], unique=False)
        batch_op.create_index('uq_billing_invoices_bill_live', ['bill_id'], unique=True, sqlite_where=sa.text("status != 'reversed' AND bill_id IS NOT NULL"), postgresql_where=sa.text("status != 'reversed' AND bill_id IS NOT NULL"))
        batch_op.create_index('uq_billing_invoices_instalment_live', ['instalment_id'], unique=True, sqlite_where=sa.text("status != 'reversed' AND instalment_id IS NOT NULL"), postgresql_where=sa.text("status != 'reversed' AND instalment_id IS NOT NULL"))
        batch_op.create_index('uq_billing_invoices_number', ['number'], unique=True, sqlite_where=sa.text('number IS NOT NULL'), postgresql_where=sa.text('number IS NOT NULL'))

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bill_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_payments_bill_id'), ['bill_id'], unique=False)
        batch_op.create_index('uq_payments_bill_open', ['bill_id'], unique=True, sqlite_where=sa.text("status IN ('created', 'requires_payment_method', 'confirming')"), postgresql_where=sa.text("status IN ('created', 'requires_payment_method', 'confirming')"))
        batch_op.create_index('uq_payments_bill_succeeded', ['bill_id'], unique=True, sqlite_where=sa.text("status = 'succeeded'"), postgresql_where=sa.text("status = 'succeeded'"))
        batch_op.create_foreign_key(batch_op.f('fk_payments_bill_id_billing_bills'), 'billing_bills', ['bill_id'], ['id'], ondelete='RESTRICT')
        batch_op.drop_constraint(batch_op.f('ck_payments_reference'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_payments_purpose'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_payments_purpose'), NEW_PURPOSES)
        batch_op.create_check_constraint(batch_op.f('ck_payments_reference'), NEW_REFERENCE)


def downgrade():
    _defer_foreign_keys()
    op.execute("UPDATE bookings SET status = 'settled' WHERE status = 'refunded'")
    _booking_statuses(OLD_BOOKING)
    op.execute("DELETE FROM payments WHERE purpose = 'bill'")
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_payments_reference'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_payments_purpose'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_payments_purpose'), OLD_PURPOSES)
        batch_op.create_check_constraint(batch_op.f('ck_payments_reference'), OLD_REFERENCE)
        batch_op.drop_constraint(batch_op.f('fk_payments_bill_id_billing_bills'), type_='foreignkey')
        batch_op.drop_index('uq_payments_bill_succeeded', sqlite_where=sa.text("status = 'succeeded'"), postgresql_where=sa.text("status = 'succeeded'"))
        batch_op.drop_index('uq_payments_bill_open', sqlite_where=sa.text("status IN ('created', 'requires_payment_method', 'confirming')"), postgresql_where=sa.text("status IN ('created', 'requires_payment_method', 'confirming')"))
        batch_op.drop_index(batch_op.f('ix_payments_bill_id'))
        batch_op.drop_column('bill_id')

    with op.batch_alter_table('billing_invoices', schema=None) as batch_op:
        batch_op.drop_index('uq_billing_invoices_number', sqlite_where=sa.text('number IS NOT NULL'), postgresql_where=sa.text('number IS NOT NULL'))
        batch_op.drop_index('uq_billing_invoices_instalment_live', sqlite_where=sa.text("status != 'reversed' AND instalment_id IS NOT NULL"), postgresql_where=sa.text("status != 'reversed' AND instalment_id IS NOT NULL"))
        batch_op.drop_index('uq_billing_invoices_bill_live', sqlite_where=sa.text("status != 'reversed' AND bill_id IS NOT NULL"), postgresql_where=sa.text("status != 'reversed' AND bill_id IS NOT NULL"))
        batch_op.drop_index(batch_op.f('ix_billing_invoices_org_id'))
        batch_op.drop_index(batch_op.f('ix_billing_invoices_instalment_id'))
        batch_op.drop_index(batch_op.f('ix_billing_invoices_bill_id'))

    op.drop_table('billing_invoices')

    with op.batch_alter_table('billing_bill_lines', schema=None) as batch_op:
        batch_op.drop_index('uq_billing_bill_lines_booking_live', sqlite_where=sa.text('live'), postgresql_where=sa.text('live'))
        batch_op.drop_index(batch_op.f('ix_billing_bill_lines_booking_id'))
        batch_op.drop_index(batch_op.f('ix_billing_bill_lines_bill_id'))

    op.drop_table('billing_bill_lines')
    with op.batch_alter_table('billing_bank_lines', schema=None) as batch_op:
        batch_op.drop_index('uq_billing_bank_lines_transaction', sqlite_where=sa.text('duplicate_of_id IS NULL'), postgresql_where=sa.text('duplicate_of_id IS NULL'))
        batch_op.drop_index('ix_billing_bank_lines_status')
        batch_op.drop_index(batch_op.f('ix_billing_bank_lines_statement_id'))
        batch_op.drop_index(batch_op.f('ix_billing_bank_lines_bill_id'))

    op.drop_table('billing_bank_lines')
    op.drop_table('billing_bank_statements')
    with op.batch_alter_table('billing_bills', schema=None) as batch_op:
        batch_op.drop_index('uq_billing_bills_org_period', sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))
        batch_op.drop_index('ix_billing_bills_status_due')
        batch_op.drop_index(batch_op.f('ix_billing_bills_org_id'))

    op.drop_table('billing_bills')
