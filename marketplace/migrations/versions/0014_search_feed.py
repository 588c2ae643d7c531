"""search feed: the durable index feed (transactional outbox) and its readers' positions

Revision ID: 0014_search_feed
Revises: 0013_finance_ux
Create Date: 2026-11-29 02:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_search_feed'
down_revision = '0013_finance_ux'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_changes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('doc_type', sa.String(length=60), nullable=False),
    sa.Column('doc_id', sa.BigInteger(), nullable=False),
    sa.Column('op', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("op IN ('upsert', 'delete')", name=op.f('ck_search_changes_op')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_changes'))
    )
    with op.batch_alter_table('search_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_changes_created_at'), ['created_at'], unique=False)

    op.create_table('search_feed_readers',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_search_feed_readers'))
    )


def downgrade():
    op.drop_table('search_feed_readers')
    with op.batch_alter_table('search_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_changes_created_at'))
    op.drop_table('search_changes')
