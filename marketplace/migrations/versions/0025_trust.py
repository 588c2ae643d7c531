"""trust, third pass: contracts signed by both parties, broker mandates, USCCs not locked first-come

Revision ID: 0025_trust
Revises: 0021_booking_practice
Create Date: 2026-12-07 15:00:00

- trading_deal_signatures: each party's signature of the exact contract terms; a deal is signed once
  both parties signed the same terms (terms_digest).
- trading_deals.buyer_mandate_at / seller_mandate_at: when each party confirmed the broker's mandate.
  Deals brokered before this revision were accepted and signed under the old rules: their parties are
  taken to have mandated the broker (the deal is past negotiation) so that their history stays valid.
- organisation_identities.uscc is no longer unique (a squatter typing a code first must not lock the real
  unit out; the verified business licence decides, one per code by the verified-qualification index).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025_trust'
down_revision = '0021_booking_practice'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation_identities', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_organisation_identities_uscc'), type_='unique')
        batch_op.create_index(batch_op.f('ix_organisation_identities_uscc'), ['uscc'], unique=False)
    with op.batch_alter_table('trading_deals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buyer_mandate_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('seller_mandate_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE trading_deals SET buyer_mandate_at = created_at, seller_mandate_at = created_at "
               "WHERE broker_user_id IS NOT NULL AND status <> 'negotiating'")
    op.create_table('trading_deal_signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=10), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('as_broker', sa.Boolean(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('terms_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("side IN ('buyer', 'seller')", name=op.f('ck_trading_deal_signatures_side')),
    sa.ForeignKeyConstraint(['deal_id'], ['trading_deals.id'],
                            name=op.f('fk_trading_deal_signatures_deal_id_trading_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_trading_deal_signatures_user_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trading_deal_signatures')),
    sa.UniqueConstraint('deal_id', 'side', name='uq_trading_deal_signatures_side')
    )
    op.create_index(op.f('ix_trading_deal_signatures_deal_id'), 'trading_deal_signatures', ['deal_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_trading_deal_signatures_deal_id'), table_name='trading_deal_signatures')
    op.drop_table('trading_deal_signatures')
    with op.batch_alter_table('trading_deals', schema=None) as batch_op:
        batch_op.drop_column('seller_mandate_at')
        batch_op.drop_column('buyer_mandate_at')
    with op.batch_alter_table('organisation_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_identities_uscc'))
        batch_op.create_unique_constraint(batch_op.f('uq_organisation_identities_uscc'), ['uscc'])
