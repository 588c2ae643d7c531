"""auction deposits by card: a payment's purpose may be 'auction_deposit' (payments.auction_registration_id)

Revision ID: 0030_auction_card_deposits
Revises: 0029_trust_low
Create Date: 2026-12-07 19:40:00

- payments.auction_registration_id: the registration whose deposit a card payment pays; the purpose and
  reference CHECKs are rebuilt with it (payments.purposes.reference_check()), and one open attempt and one
  success per registration are partial unique indexes, as for bills and instalments.
- auction_registrations.deposit_via may be 'card'.
- trading_deals.cancel_reason_code may be 'auction_forfeited' (the platform cancels the deal of a winner
  who forfeited the deposit by not signing in time).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0030_auction_card_deposits'
down_revision = '0029_trust_low'
branch_labels = None
depends_on = None

OLD_COLUMNS = {"booking": "booking_id", "deal_instalment": "instalment_id", "bill": "bill_id"}
NEW_COLUMNS = {**OLD_COLUMNS, "auction_deposit": "auction_registration_id"}
OPEN = sa.text("status IN ('created', 'requires_payment_method', 'confirming')")
SUCCEEDED = sa.text("status = 'succeeded'")
OLD_CANCEL = ('price', 'terms', 'withdrawn', 'objection_upheld', 'other')
NEW_CANCEL = ('price', 'terms', 'withdrawn', 'objection_upheld', 'auction_forfeited', 'other')


def _purposes(columns):
    return "purpose IN (" + ", ".join(f"'{p}'" for p in columns) + ")"


def _reference(columns):  # payments.purposes.reference_check, as of this revision
    cases = []
    for purpose, column in columns.items():
        others = " AND ".join(f"{c} IS NULL" for c in columns.values() if c != column)
        cases.append(f"(purpose = '{purpose}' AND {column} IS NOT NULL AND {others})")
    return " OR ".join(cases)


def _defer_foreign_keys():
    """SQLite's batch mode copies and drops referenced tables: check the keys at commit."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA defer_foreign_keys = ON")


def _cancel_reasons(reasons):
    with op.batch_alter_table('trading_deals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_trading_deals_cancel_reason'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_trading_deals_cancel_reason'),
                                         "cancel_reason_code IS NULL OR cancel_reason_code IN ("
                                         + ", ".join(f"'{r}'" for r in reasons) + ")")


def upgrade():
    _defer_foreign_keys()
    _cancel_reasons(NEW_CANCEL)
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auction_registration_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_payments_auction_registration_id'), ['auction_registration_id'],
                              unique=False)
        batch_op.create_index('uq_payments_auction_deposit_open', ['auction_registration_id'], unique=True,
                              sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.create_index('uq_payments_auction_deposit_succeeded', ['auction_registration_id'], unique=True,
                              sqlite_where=SUCCEEDED, postgresql_where=SUCCEEDED)
        batch_op.create_foreign_key(batch_op.f('fk_payments_auction_registration_id_auction_registrations'),
                                    'auction_registrations', ['auction_registration_id'], ['id'], ondelete='RESTRICT')
        batch_op.drop_constraint(batch_op.f('ck_payments_reference'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_payments_purpose'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_payments_purpose'), _purposes(NEW_COLUMNS))
        batch_op.create_check_constraint(batch_op.f('ck_payments_reference'), _reference(NEW_COLUMNS))
    with op.batch_alter_table('auction_registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_auction_registrations_deposit_via'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_auction_registrations_deposit_via'),
                                         "deposit_via IS NULL OR deposit_via IN ('transfer', 'card', 'none')")


def downgrade():
    _defer_foreign_keys()
    op.execute("UPDATE trading_deals SET cancel_reason_code = 'other' WHERE cancel_reason_code = 'auction_forfeited'")
    _cancel_reasons(OLD_CANCEL)
    op.execute("UPDATE auction_registrations SET deposit_via = 'transfer' WHERE deposit_via = 'card'")
    with op.batch_alter_table('auction_registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_auction_registrations_deposit_via'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_auction_registrations_deposit_via'),
                                         "deposit_via IS NULL OR deposit_via IN ('transfer', 'none')")
    op.execute("DELETE FROM payments WHERE purpose = 'auction_deposit'")
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_payments_reference'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_payments_purpose'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_payments_purpose'), _purposes(OLD_COLUMNS))
        batch_op.create_check_constraint(batch_op.f('ck_payments_reference'), _reference(OLD_COLUMNS))
        batch_op.drop_constraint(batch_op.f('fk_payments_auction_registration_id_auction_registrations'),
                                 type_='foreignkey')
        batch_op.drop_index('uq_payments_auction_deposit_succeeded', sqlite_where=SUCCEEDED, postgresql_where=SUCCEEDED)
        batch_op.drop_index('uq_payments_auction_deposit_open', sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.drop_index(batch_op.f('ix_payments_auction_registration_id'))
        batch_op.drop_column('auction_registration_id')
