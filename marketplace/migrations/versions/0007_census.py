"""census: self-reported yearly figures of instrument use off the platform

Revision ID: 0007_census
Revises: 0006_registration
Create Date: 2026-11-28 23:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_census'
down_revision = '0006_registration'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('census_self_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('external_hours', sa.Integer(), nullable=False),
    sa.Column('orgs_served', sa.Integer(), nullable=False),
    sa.Column('income', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_census_self_reports_year')),
    sa.CheckConstraint('hours BETWEEN 0 AND 8784', name=op.f('ck_census_self_reports_hours')),
    sa.CheckConstraint('external_hours >= 0 AND external_hours <= hours', name=op.f('ck_census_self_reports_external_hours')),
    sa.CheckConstraint('orgs_served >= 0', name=op.f('ck_census_self_reports_orgs_served')),
    sa.CheckConstraint('income >= 0', name=op.f('ck_census_self_reports_income')),
    sa.ForeignKeyConstraint(['instrument_id'], ['resources.id'], name=op.f('fk_census_self_reports_instrument_id_resources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_census_self_reports_org_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_census_self_reports_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_census_self_reports')),
    sa.UniqueConstraint('instrument_id', 'year', name='uq_census_self_reports_inst_year')
    )
    with op.batch_alter_table('census_self_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_census_self_reports_instrument_id'), ['instrument_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_census_self_reports_org_id'), ['org_id'], unique=False)
        batch_op.create_index('ix_census_self_reports_year_org', ['year', 'org_id'], unique=False)


def downgrade():
    with op.batch_alter_table('census_self_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_census_self_reports_year_org')
        batch_op.drop_index(batch_op.f('ix_census_self_reports_org_id'))
        batch_op.drop_index(batch_op.f('ix_census_self_reports_instrument_id'))
    op.drop_table('census_self_reports')
