"""listing revisions and photos

Revision ID: 0012_listing_revisions
Revises: 0010_verification
Create Date: 2026-11-29 02:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_listing_revisions'
down_revision = '0010_verification'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('resource_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('previous', sa.JSON(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected', 'withdrawn', 'superseded')", name=op.f('ck_resource_revisions_status')),
    sa.CheckConstraint("status <> 'rejected' OR reason IS NOT NULL", name=op.f('ck_resource_revisions_reason_required')),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_revisions_resource_id_resources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_resource_revisions_submitted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_resource_revisions_decided_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_revisions'))
    )
    with op.batch_alter_table('resource_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_revisions_resource_id'), ['resource_id'], unique=False)
        batch_op.create_index('ix_resource_revisions_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index('uq_resource_revisions_one_pending', ['resource_id'], unique=True,
                              sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.create_table('resource_photos',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('upload_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_photos_resource_id_resources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['upload_id'], ['uploads.id'], name=op.f('fk_resource_photos_upload_id_uploads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', 'upload_id', name=op.f('pk_resource_photos'))
    )
    with op.batch_alter_table('resource_photos', schema=None) as batch_op:
        batch_op.create_index('ix_resource_photos_resource_position', ['resource_id', 'position'], unique=False)


def downgrade():
    op.drop_table('resource_photos')
    op.drop_table('resource_revisions')
