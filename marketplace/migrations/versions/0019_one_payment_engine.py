"""one payment engine: payments get a purpose; deal instalment payments move into payments

Revision ID: 0019_one_payment_engine
Revises: 0018_job_outbox
Create Date: 2026-12-07 12:00:00

Every payment is a `payments` row whose `purpose` says what it pays and whose purpose column
(booking_id, instalment_id) references it; a CHECK keeps exactly that column set. The rows of
trading_deal_payments move into payments (purpose 'deal_instalment') under new ids (old id + the
highest payments id before the move), and what referred to them follows: the deal ledger links
(trading_deal_ledger_entries.payment_id) and the audit rows, whose entity 'deal_payment' becomes
'payment' (the one audit entity of every payment, as the engine records it).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_one_payment_engine'
down_revision = '0018_job_outbox'
branch_labels = None
depends_on = None

OPEN = "status IN ('created', 'requires_payment_method', 'confirming')"
REFERENCE = ("(purpose = 'booking' AND booking_id IS NOT NULL AND instalment_id IS NULL) OR "
             "(purpose = 'deal_instalment' AND instalment_id IS NOT NULL AND booking_id IS NULL)")
COLUMNS = ("amount, currency, idempotency_key, payment_intent_id, client_secret, status, failure_message, "
           "created_by_id, created_at, updated_at, succeeded_at")


def _defer_foreign_keys():
    """SQLite's batch mode copies and drops referenced tables (payments): check the keys at commit."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA defer_foreign_keys = ON")


def _reset_payment_ids():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('payments', 'id'), "
                   "COALESCE((SELECT MAX(id) FROM payments), 0) + 1, false)")


def upgrade():
    _defer_foreign_keys()
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=20), nullable=False, server_default='booking'))
        batch_op.add_column(sa.Column('instalment_id', sa.Integer(), nullable=True))
        batch_op.alter_column('booking_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_payments_instalment_id_trading_deal_instalments'),
                                    'trading_deal_instalments', ['instalment_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_check_constraint(batch_op.f('ck_payments_purpose'), "purpose IN ('booking', 'deal_instalment')")
        batch_op.create_check_constraint(batch_op.f('ck_payments_reference'), REFERENCE)
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.alter_column('purpose', existing_type=sa.String(length=20), server_default=None)
        batch_op.create_index(batch_op.f('ix_payments_instalment_id'), ['instalment_id'], unique=False)
        batch_op.create_index('uq_payments_instalment_open', ['instalment_id'], unique=True,
                              sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
        batch_op.create_index('uq_payments_instalment_succeeded', ['instalment_id'], unique=True,
                              sqlite_where=sa.text("status = 'succeeded'"),
                              postgresql_where=sa.text("status = 'succeeded'"))

    offset = op.get_bind().scalar(sa.text("SELECT COALESCE(MAX(id), 0) FROM payments"))
    op.execute(sa.text(f"INSERT INTO payments (id, purpose, instalment_id, refunded_amount, {COLUMNS}) "
                       f"SELECT id + :offset, 'deal_instalment', instalment_id, 0, {COLUMNS} "
                       "FROM trading_deal_payments").bindparams(offset=offset))
    _reset_payment_ids()

    with op.batch_alter_table('trading_deal_ledger_entries', schema=None) as batch_op:
        batch_op.drop_constraint('fk_trading_deal_ledger_entries_payment_id_trading_deal_payments', type_='foreignkey')
    op.execute(sa.text("UPDATE trading_deal_ledger_entries SET payment_id = payment_id + :offset")
               .bindparams(offset=offset))
    with op.batch_alter_table('trading_deal_ledger_entries', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_trading_deal_ledger_entries_payment_id_payments'),
                                    'payments', ['payment_id'], ['id'], ondelete='RESTRICT')
    op.execute(sa.text("UPDATE audit_log SET entity = 'payment', entity_id = entity_id + :offset "
                       "WHERE entity = 'deal_payment'").bindparams(offset=offset))

    with op.batch_alter_table('trading_deal_payments', schema=None) as batch_op:
        batch_op.drop_index('uq_trading_deal_payments_succeeded', sqlite_where=sa.text("status = 'succeeded'"),
                            postgresql_where=sa.text("status = 'succeeded'"))
        batch_op.drop_index('uq_trading_deal_payments_open', sqlite_where=sa.text(OPEN),
                            postgresql_where=sa.text(OPEN))
        batch_op.drop_index(batch_op.f('ix_trading_deal_payments_instalment_id'))
    op.drop_table('trading_deal_payments')


def downgrade():
    _defer_foreign_keys()
    op.create_table('trading_deal_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instalment_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('payment_intent_id', sa.String(length=64), nullable=True),
    sa.Column('client_secret', sa.String(length=128), nullable=True),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('failure_message', sa.String(length=300), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('succeeded_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("currency = 'cny'", name=op.f('ck_trading_deal_payments_currency')),
    sa.CheckConstraint("status IN ('created', 'requires_payment_method', 'confirming', 'succeeded', 'failed', 'canceled')", name=op.f('ck_trading_deal_payments_status')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_trading_deal_payments_amount_pos')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_trading_deal_payments_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['instalment_id'], ['trading_deal_instalments.id'], name=op.f('fk_trading_deal_payments_instalment_id_trading_deal_instalments'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trading_deal_payments')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_trading_deal_payments_idempotency_key')),
    sa.UniqueConstraint('payment_intent_id', name=op.f('uq_trading_deal_payments_payment_intent_id'))
    )
    with op.batch_alter_table('trading_deal_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trading_deal_payments_instalment_id'), ['instalment_id'], unique=False)
        batch_op.create_index('uq_trading_deal_payments_open', ['instalment_id'], unique=True,
                              sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
        batch_op.create_index('uq_trading_deal_payments_succeeded', ['instalment_id'], unique=True,
                              sqlite_where=sa.text("status = 'succeeded'"),
                              postgresql_where=sa.text("status = 'succeeded'"))
    # The ids are kept: the old table is empty, so they cannot collide.
    op.execute(f"INSERT INTO trading_deal_payments (id, instalment_id, {COLUMNS}) "
               f"SELECT id, instalment_id, {COLUMNS} FROM payments WHERE purpose = 'deal_instalment'")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('trading_deal_payments', 'id'), "
                   "COALESCE((SELECT MAX(id) FROM trading_deal_payments), 0) + 1, false)")
    op.execute("UPDATE audit_log SET entity = 'deal_payment' WHERE entity = 'payment' AND entity_id IN "
               "(SELECT id FROM payments WHERE purpose = 'deal_instalment')")
    with op.batch_alter_table('trading_deal_ledger_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_trading_deal_ledger_entries_payment_id_payments'), type_='foreignkey')
        batch_op.create_foreign_key('fk_trading_deal_ledger_entries_payment_id_trading_deal_payments',
                                    'trading_deal_payments', ['payment_id'], ['id'], ondelete='RESTRICT')
    op.execute("DELETE FROM payments WHERE purpose = 'deal_instalment'")

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('uq_payments_instalment_succeeded', sqlite_where=sa.text("status = 'succeeded'"),
                            postgresql_where=sa.text("status = 'succeeded'"))
        batch_op.drop_index('uq_payments_instalment_open', sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
        batch_op.drop_index(batch_op.f('ix_payments_instalment_id'))
        batch_op.drop_constraint(batch_op.f('ck_payments_reference'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_payments_purpose'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_payments_instalment_id_trading_deal_instalments'), type_='foreignkey')
        batch_op.alter_column('booking_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('instalment_id')
        batch_op.drop_column('purpose')
