"""deal money under supervision: bank lines name what their remittance code pays (any owner)

Revision ID: 0026_deal_money
Revises: 0025_trust
Create Date: 2026-12-07 18:10:00

- billing_bank_lines.owner / owner_ref: what the transfer's remittance code belongs to (a bill, a deal
  instalment, an auction deposit: billing.remittance), whoever owns it. Existing lines of a bill say so.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026_deal_money'
down_revision = '0025_trust'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('billing_bank_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('owner_ref', sa.Integer(), nullable=True))
    op.execute("UPDATE billing_bank_lines SET owner = 'bill', owner_ref = bill_id WHERE bill_id IS NOT NULL")
    with op.batch_alter_table('billing_bank_lines', schema=None) as batch_op:
        batch_op.create_index('ix_billing_bank_lines_owner', ['owner', 'owner_ref'], unique=False)
        batch_op.create_check_constraint(op.f('ck_billing_bank_lines_owner_pair'),
                                         "(owner IS NULL) = (owner_ref IS NULL)")


def downgrade():
    with op.batch_alter_table('billing_bank_lines', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_billing_bank_lines_owner_pair'), type_='check')
        batch_op.drop_index('ix_billing_bank_lines_owner')
        batch_op.drop_column('owner_ref')
        batch_op.drop_column('owner')
