"""broker firms' commission rates with an effective date and a history (replaces one row per firm);
facilities get the booking rate card (price unit, internal and external price, bookable)

Revision ID: 0017_extras
Revises: 0014_search_feed
Create Date: 2026-11-29 02:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_extras'
down_revision = '0014_search_feed'
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

    # Existing facilities have no rate card yet: not bookable until their owner fills it in.
    with op.batch_alter_table('res_facility', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_unit', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('internal_price', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('external_price', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('bookable', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_check_constraint(op.f('ck_res_facility_price_unit_choice'), "price_unit IN ('hour')")
        batch_op.create_check_constraint(op.f('ck_res_facility_internal_price_nonneg'), 'internal_price >= 0')
        batch_op.create_check_constraint(op.f('ck_res_facility_external_price_nonneg'), 'external_price >= 0')
    with op.batch_alter_table('res_facility', schema=None) as batch_op:
        batch_op.alter_column('bookable', server_default=None)


def downgrade():
    with op.batch_alter_table('res_facility', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_res_facility_external_price_nonneg'), type_='check')
        batch_op.drop_constraint(op.f('ck_res_facility_internal_price_nonneg'), type_='check')
        batch_op.drop_constraint(op.f('ck_res_facility_price_unit_choice'), type_='check')
        batch_op.drop_column('bookable')
        batch_op.drop_column('external_price')
        batch_op.drop_column('internal_price')
        batch_op.drop_column('price_unit')
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
