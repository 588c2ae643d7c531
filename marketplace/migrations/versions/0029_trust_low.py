"""trust, third pass (Low findings): state-owned enterprises proven by a verified claim

Revision ID: 0029_trust_low
Revises: 0027_auctions
Create Date: 2026-12-07 18:30:00

- qualifications.kind may be 'state_owned' (a state-owned enterprise, proven by its property-rights
  registration and verified by a reviewer); like 'in_province' it has no dates of its own.
- contract_registrations.buyer_confirmed_at / buyer_confirmed_by_id: the other party's confirmation, which
  approval requires. Applications decided before this revision count as confirmed (their registrar
  decided under the old rules); those still waiting need the buyer's confirmation.
- contract_registrations.check_code: printed on the certificate, asked by public verification; numbers
  registered before this revision get one now (their certificates are re-issued with it).
"""
import secrets

import sqlalchemy as sa
from alembic import op

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

# revision identifiers, used by Alembic.
revision = '0029_trust_low'
down_revision = '0027_auctions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contract_registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buyer_confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('buyer_confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('check_code', sa.String(length=8), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_contract_registrations_buyer_confirmed_by_id_users'), 'users',
                                    ['buyer_confirmed_by_id'], ['id'], ondelete='SET NULL')
    op.execute("UPDATE contract_registrations SET buyer_confirmed_at = updated_at "
               "WHERE status IN ('registered', 'refused', 'cancelled')")
    conn = op.get_bind()
    table = sa.table('contract_registrations', sa.column('id'), sa.column('number'), sa.column('check_code'))
    for (reg_id,) in conn.execute(sa.select(table.c.id).where(table.c.number.isnot(None))).all():
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        conn.execute(sa.update(table).where(table.c.id == reg_id).values(check_code=code))
    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_qualifications_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_qualifications_validity_required'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_qualifications_kind'), "kind IN ('in_province', 'sme', 'high_tech', 'state_owned')")
        batch_op.create_check_constraint(
            batch_op.f('ck_qualifications_validity_required'),
            "kind IN ('in_province', 'state_owned') OR (valid_from IS NOT NULL AND valid_until IS NOT NULL)")


def downgrade():
    with op.batch_alter_table('contract_registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contract_registrations_buyer_confirmed_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('check_code')
        batch_op.drop_column('buyer_confirmed_by_id')
        batch_op.drop_column('buyer_confirmed_at')
    op.execute("DELETE FROM qualifications WHERE kind = 'state_owned'")
    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_qualifications_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_qualifications_validity_required'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_qualifications_kind'), "kind IN ('in_province', 'sme', 'high_tech')")
        batch_op.create_check_constraint(
            batch_op.f('ck_qualifications_validity_required'),
            "kind = 'in_province' OR (valid_from IS NOT NULL AND valid_until IS NOT NULL)")
