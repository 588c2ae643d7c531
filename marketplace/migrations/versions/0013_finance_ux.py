"""payouts with unique vouchers and reversals; a journal entry is reversed at most once

Revision ID: 0013_finance_ux
Revises: 0012_listing_revisions
Create Date: 2026-11-29 02:03:34.506208

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_finance_ux'
down_revision = '0012_listing_revisions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('subsidy_payouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('voucher', sa.String(length=40), nullable=False),
    sa.Column('service', sa.BigInteger(), nullable=False),
    sa.Column('subsidy', sa.BigInteger(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('reversal_entry_id', sa.Integer(), nullable=True),
    sa.Column('reversal_reason', sa.String(length=300), nullable=True),
    sa.Column('reversed_by_id', sa.Integer(), nullable=True),
    sa.Column('reversed_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status <> 'reversed' OR (reversal_entry_id IS NOT NULL AND reversal_reason IS NOT NULL)", name=op.f('ck_subsidy_payouts_reversal_recorded')),
    sa.CheckConstraint("status IN ('paid', 'reversed')", name=op.f('ck_subsidy_payouts_status')),
    sa.CheckConstraint('service >= 0 AND subsidy >= 0 AND total > 0 AND total = service + subsidy', name=op.f('ck_subsidy_payouts_amounts')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_subsidy_payouts_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_subsidy_payouts_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_subsidy_payouts_org_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reversal_entry_id'], ['journal_entries.id'], name=op.f('fk_subsidy_payouts_reversal_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reversed_by_id'], ['users.id'], name=op.f('fk_subsidy_payouts_reversed_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_payouts')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_subsidy_payouts_entry_id')),
    sa.UniqueConstraint('reversal_entry_id', name=op.f('uq_subsidy_payouts_reversal_entry_id')),
    sa.UniqueConstraint('voucher', name=op.f('uq_subsidy_payouts_voucher'))
    )
    with op.batch_alter_table('subsidy_payouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_payouts_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_payouts_org_id'), ['org_id'], unique=False)

    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.create_index('uq_journal_entries_reverses_id', ['reverses_id'], unique=True)



def downgrade():
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_journal_entries_reverses_id')

    with op.batch_alter_table('subsidy_payouts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subsidy_payouts_org_id'))
        batch_op.drop_index(batch_op.f('ix_subsidy_payouts_created_at'))

    op.drop_table('subsidy_payouts')
