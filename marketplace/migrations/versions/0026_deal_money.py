"""deal money under supervision: bank lines name what their remittance code pays (any owner)

Revision ID: 0026_deal_money
Revises: 0025_trust
Create Date: 2026-12-07 18:10:00

- billing_bank_lines.owner / owner_ref: what the transfer's remittance code belongs to (a bill, a deal
  instalment, an auction deposit: billing.remittance), whoever owns it. Existing lines of a bill say so.
- trading_deal_instalments: a remittance code each (existing rows draw one here), paid_by, released_at,
  refunded_at, refund_reason; status due | held | released | refunded. An instalment paid before this
  revision went straight to the seller in the ledger: it is `released` (released_at = paid_at, by card).
- trading_deal_ledger_entries.payment_id may be NULL (transfers, releases, refunds).
- the ledger's chart gains `deal_escrow`, `provider_receivable` (provider subsidy reversed after it was paid
  out: owed back, offset at the unit's next payout) and the entry kinds `deal_release`, `deal_refund`.
- subsidy_payouts.offset: what a payout kept back against an amount owed back (total = service + subsidy − offset).
"""
import secrets

import sqlalchemy as sa
from alembic import op
from stdnum.iso7064 import mod_37_36

# revision identifiers, used by Alembic.
revision = '0026_deal_money'
down_revision = '0025_trust'
branch_labels = None
depends_on = None


OLD_ACCOUNTS = ('programme_fund', 'budget', 'subsidy_reserved', 'user_subsidy_payable', 'provider_subsidy_payable',
                'subsidy_receivable', 'user_receivable', 'provider_payable', 'gateway_clearing', 'bank',
                'deal_seller_payable', 'broker_commission_payable')
NEW_ACCOUNTS = OLD_ACCOUNTS + ('deal_escrow', 'provider_receivable')
OLD_KINDS = ('funding', 'reservation', 'release', 'subsidy_commitment', 'provider_income', 'payment', 'refund',
             'settlement', 'payout', 'reversal', 'deal_payment')
NEW_KINDS = OLD_KINDS + ('deal_release', 'deal_refund')
OLD_STATUSES = ('due', 'paid')
NEW_STATUSES = ('due', 'held', 'released', 'refunded')
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PAYOUT_AMOUNTS = ('service >= 0 AND subsidy >= 0 AND "offset" >= 0 AND total > 0 '
                  'AND total = service + subsidy - "offset"')


def _in(values):
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _code():  # core.remittance.new_remittance_code, as of this revision
    body = "".join(secrets.choice(_ALPHABET) for _ in range(9))
    return "JS" + body + mod_37_36.calc_check_digit(body)


def _set_ledger_checks(accounts, kinds):
    """Replace the CHECKs of the journal tables (as 0005_trading: SQLite rebuilds the tables and the
    append-only triggers go with the old table, so they are made again)."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA defer_foreign_keys = ON")
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_journal_entries_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_journal_entries_kind'), f"kind IN {_in(kinds)}")
    with op.batch_alter_table('journal_lines', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_journal_lines_account'), type_='check')
        batch_op.create_check_constraint(op.f('ck_journal_lines_account'), f"account IN {_in(accounts)}")
    if sqlite:
        for table in ('journal_entries', 'journal_lines'):
            for action in ('UPDATE', 'DELETE'):
                op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_no_{action.lower()}")
                op.execute(f"CREATE TRIGGER trg_{table}_no_{action.lower()} BEFORE {action} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def upgrade():
    _set_ledger_checks(NEW_ACCOUNTS, NEW_KINDS)
    with op.batch_alter_table('trading_deal_instalments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_trading_deal_instalments_status'), type_='check')
        batch_op.add_column(sa.Column('remittance_code', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('paid_by', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('released_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('refunded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('refund_reason', sa.String(length=300), nullable=True))
    bind = op.get_bind()
    op.execute("UPDATE trading_deal_instalments SET status = 'released', released_at = paid_at, paid_by = 'card' "
               "WHERE status = 'paid'")
    for (inst_id,) in bind.execute(sa.text("SELECT id FROM trading_deal_instalments")).fetchall():
        bind.execute(sa.text("UPDATE trading_deal_instalments SET remittance_code = :c WHERE id = :i"),
                     {"c": _code(), "i": inst_id})
    with op.batch_alter_table('trading_deal_instalments', schema=None) as batch_op:
        batch_op.alter_column('remittance_code', existing_type=sa.String(length=12), nullable=False)
        batch_op.create_unique_constraint(op.f('uq_trading_deal_instalments_remittance_code'), ['remittance_code'])
        batch_op.create_check_constraint(op.f('ck_trading_deal_instalments_status'),
                                         f"status IN {_in(NEW_STATUSES)}")
        batch_op.create_check_constraint(op.f('ck_trading_deal_instalments_paid_by'),
                                         "paid_by IS NULL OR paid_by IN ('transfer', 'card')")
        batch_op.create_check_constraint(op.f('ck_trading_deal_instalments_received'),
                                         "status = 'due' OR paid_at IS NOT NULL")
        batch_op.create_check_constraint(op.f('ck_trading_deal_instalments_released'),
                                         "status != 'released' OR released_at IS NOT NULL")
        batch_op.create_check_constraint(op.f('ck_trading_deal_instalments_refunded'),
                                         "status != 'refunded' OR refunded_at IS NOT NULL")
    with op.batch_alter_table('trading_deal_ledger_entries', schema=None) as batch_op:
        batch_op.alter_column('payment_id', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('subsidy_payouts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offset', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.drop_constraint(op.f('ck_subsidy_payouts_amounts'), type_='check')
        batch_op.create_check_constraint(op.f('ck_subsidy_payouts_amounts'), PAYOUT_AMOUNTS)
    with op.batch_alter_table('billing_bank_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('owner_ref', sa.Integer(), nullable=True))
    op.execute("UPDATE billing_bank_lines SET owner = 'bill', owner_ref = bill_id WHERE bill_id IS NOT NULL")
    with op.batch_alter_table('billing_bank_lines', schema=None) as batch_op:
        batch_op.create_index('ix_billing_bank_lines_owner', ['owner', 'owner_ref'], unique=False)
        batch_op.create_check_constraint(op.f('ck_billing_bank_lines_owner_pair'),
                                         "(owner IS NULL) = (owner_ref IS NULL)")


def downgrade():
    with op.batch_alter_table('subsidy_payouts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_subsidy_payouts_amounts'), type_='check')
        batch_op.drop_column('offset')
        batch_op.create_check_constraint(op.f('ck_subsidy_payouts_amounts'),
                                         "service >= 0 AND subsidy >= 0 AND total > 0 AND total = service + subsidy")
    with op.batch_alter_table('trading_deal_ledger_entries', schema=None) as batch_op:
        batch_op.alter_column('payment_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('trading_deal_instalments', schema=None) as batch_op:
        for name in ('status', 'paid_by', 'received', 'released', 'refunded'):
            batch_op.drop_constraint(op.f(f'ck_trading_deal_instalments_{name}'), type_='check')
        batch_op.drop_constraint(op.f('uq_trading_deal_instalments_remittance_code'), type_='unique')
    op.execute("UPDATE trading_deal_instalments SET status = 'paid' WHERE status <> 'due'")
    with op.batch_alter_table('trading_deal_instalments', schema=None) as batch_op:
        for column in ('refund_reason', 'refunded_at', 'released_at', 'paid_by', 'remittance_code'):
            batch_op.drop_column(column)
        batch_op.create_check_constraint(op.f('ck_trading_deal_instalments_status'), f"status IN {_in(OLD_STATUSES)}")
    _set_ledger_checks(OLD_ACCOUNTS, OLD_KINDS)
    with op.batch_alter_table('billing_bank_lines', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_billing_bank_lines_owner_pair'), type_='check')
        batch_op.drop_index('ix_billing_bank_lines_owner')
        batch_op.drop_column('owner_ref')
        batch_op.drop_column('owner')
