"""trust, third pass (Low findings): state-owned enterprises proven by a verified claim

Revision ID: 0029_trust_low
Revises: 0025_trust
Create Date: 2026-12-07 18:30:00

- qualifications.kind may be 'state_owned' (a state-owned enterprise, proven by its property-rights
  registration and verified by a reviewer); like 'in_province' it has no dates of its own.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0029_trust_low'
down_revision = '0025_trust'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_qualifications_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_qualifications_validity_required'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_qualifications_kind'), "kind IN ('in_province', 'sme', 'high_tech', 'state_owned')")
        batch_op.create_check_constraint(
            batch_op.f('ck_qualifications_validity_required'),
            "kind IN ('in_province', 'state_owned') OR (valid_from IS NOT NULL AND valid_until IS NOT NULL)")


def downgrade():
    op.execute("DELETE FROM qualifications WHERE kind = 'state_owned'")
    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_qualifications_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_qualifications_validity_required'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_qualifications_kind'), "kind IN ('in_province', 'sme', 'high_tech')")
        batch_op.create_check_constraint(
            batch_op.f('ck_qualifications_validity_required'),
            "kind = 'in_province' OR (valid_from IS NOT NULL AND valid_until IS NOT NULL)")
