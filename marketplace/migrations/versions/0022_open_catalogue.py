"""open catalogue: persistent identifiers of resources; partner platforms, their records, harvests

Revision ID: 0022_open_catalogue
Revises: 0019_one_payment_engine
Create Date: 2026-12-07 15:30:00

Listings published before this revision get their identifier now (the agency code of the
configuration the upgrade runs with).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022_open_catalogue'
down_revision = '0019_one_payment_engine'
branch_labels = None
depends_on = None

TYPE_CODES = {
    "instrument": "11", "facility": "12", "talent": "13", "institution": "14", "dataset": "15",
    "achievement": "16", "finance": "17", "service": "18", "incubator": "19", "bioresource": "20",
}


def _agency() -> str:
    try:
        from flask import current_app
        return current_app.config.get("CSTR_AGENCY", "32100")
    except RuntimeError:  # outside an app (plain alembic)
        return "32100"


def upgrade():
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cstr', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_resources_cstr'), ['cstr'])
        batch_op.create_index('ix_resources_updated_id', ['updated_at', 'id'], unique=False)
    agency = _agency()
    bind = op.get_bind()
    for type_key, code in TYPE_CODES.items():
        prefix = f"CSTR:{agency}.{code}."
        bind.execute(sa.text("UPDATE resources SET cstr = :prefix || CAST(id AS VARCHAR(20)) "
                             "WHERE type = :type AND published_at IS NOT NULL AND cstr IS NULL"),
                     {"prefix": prefix, "type": type_key})

    op.create_table('federation_partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('region', sa.String(length=20), nullable=False),
    sa.Column('base_url', sa.String(length=500), nullable=False),
    sa.Column('metadata_prefix', sa.String(length=40), nullable=False),
    sa.Column('schedule', sa.String(length=20), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('harvested_from', sa.DateTime(), nullable=True),
    sa.Column('last_harvest_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("region IN ('shanghai', 'zhejiang', 'anhui', 'national', 'other')",
                       name=op.f('ck_federation_partners_region')),
    sa.CheckConstraint("schedule IN ('hourly', 'daily', 'weekly')", name=op.f('ck_federation_partners_schedule')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_federation_partners')),
    sa.UniqueConstraint('name', name=op.f('uq_federation_partners_name'))
    )
    op.create_table('federation_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('identifier', sa.String(length=200), nullable=False),
    sa.Column('datestamp', sa.DateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=True),
    sa.Column('type_label', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('location', sa.String(length=100), nullable=False),
    sa.Column('keywords', sa.String(length=300), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('harvested_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['federation_partners.id'],
                            name=op.f('fk_federation_records_partner_id_federation_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_federation_records')),
    sa.UniqueConstraint('partner_id', 'identifier', name='uq_federation_records_partner_identifier')
    )
    op.create_index('ix_federation_records_deleted', 'federation_records', ['deleted'], unique=False)
    op.create_table('federation_harvests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.CheckConstraint("status IN ('running', 'ok', 'failed')", name=op.f('ck_federation_harvests_status')),
    sa.ForeignKeyConstraint(['partner_id'], ['federation_partners.id'],
                            name=op.f('fk_federation_harvests_partner_id_federation_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_federation_harvests'))
    )
    op.create_index('ix_federation_harvests_partner_id', 'federation_harvests', ['partner_id'], unique=False)


def downgrade():
    op.drop_index('ix_federation_harvests_partner_id', table_name='federation_harvests')
    op.drop_table('federation_harvests')
    op.drop_index('ix_federation_records_deleted', table_name='federation_records')
    op.drop_table('federation_records')
    op.drop_table('federation_partners')
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_index('ix_resources_updated_id')
        batch_op.drop_constraint(batch_op.f('uq_resources_cstr'), type_='unique')
        batch_op.drop_column('cstr')
