"""broker firms' commission rates with an effective date and a history (replaces one row per firm)

Revision ID: 0017_extras
Revises: 0010_verification
Create Date: 2026-11-29 02:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_extras'
down_revision = '0010_verification'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('trading_firm_commission_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('basis_points', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('basis_points >= 0 AND basis_points <= 10000', name=op.f('ck_trading_firm_commission_rates_basis_points')),
    sa.ForeignKeyConstraint(['firm_id'], ['firms.id'], name=op.f('fk_trading_firm_commission_rates_firm_id_firms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_trading_firm_commission_rates_set_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trading_firm_commission_rates'))
    )
    op.create_index('ix_trading_firm_commission_rates_firm', 'trading_firm_commission_rates',
                    ['firm_id', 'effective_on', 'id'], unique=False)
    # Each firm's single rate becomes the first entry of its history, effective from the day it was set.
    op.execute("INSERT INTO trading_firm_commission_rates (firm_id, basis_points, effective_on, note, created_at) "
               "SELECT firm_id, basis_points, CAST(updated_at AS DATE), '', updated_at FROM trading_firm_commissions")
    op.drop_table('trading_firm_commissions')


def downgrade():
    op.create_table('trading_firm_commissions',
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('basis_points', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('basis_points >= 0 AND basis_points <= 10000', name=op.f('ck_trading_firm_commissions_basis_points')),
    sa.ForeignKeyConstraint(['firm_id'], ['firms.id'], name=op.f('fk_trading_firm_commissions_firm_id_firms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('firm_id', name=op.f('pk_trading_firm_commissions'))
    )
    # The latest entry of each firm's history (future entries included) becomes its one rate.
    op.execute("INSERT INTO trading_firm_commissions (firm_id, basis_points, updated_at) "
               "SELECT r.firm_id, r.basis_points, r.created_at FROM trading_firm_commission_rates r "
               "WHERE r.id = (SELECT MAX(id) FROM trading_firm_commission_rates s WHERE s.firm_id = r.firm_id)")
    op.drop_index('ix_trading_firm_commission_rates_firm', table_name='trading_firm_commission_rates')
    op.drop_table('trading_firm_commission_rates')
