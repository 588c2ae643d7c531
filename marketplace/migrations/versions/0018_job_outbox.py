"""job outbox: jobs committed with the transaction that asked for them (queue mode)

Revision ID: 0018_job_outbox
Revises: 0017_extras
Create Date: 2026-11-29 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_job_outbox'
down_revision = '0017_extras'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('queue', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('args', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_outbox'))
    )
    op.create_index('ix_job_outbox_queue', 'job_outbox', ['queue', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_job_outbox_queue', table_name='job_outbox')
    op.drop_table('job_outbox')
