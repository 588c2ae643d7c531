"""verified organisations

Revision ID: 0010_verification
Revises: 0008_requests
Create Date: 2026-11-28 23:02:53.874919

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_verification'
down_revision = '0008_requests'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation_identities',
    sa.Column('org_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('uscc_root', sa.String(length=9), nullable=False),
    sa.Column('legal_name', sa.String(length=120), nullable=False),
    sa.Column('legal_rep', sa.String(length=60), nullable=False),
    sa.Column('legal_rep_key', sa.String(length=60), nullable=True),
    sa.Column('legal_rep_id', sa.String(length=64), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('length(uscc) = 18', name=op.f('ck_organisation_identities_uscc_length')),
    sa.CheckConstraint('length(uscc_root) = 9', name=op.f('ck_organisation_identities_uscc_root_length')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_organisation_identities_org_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_organisation_identities_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('org_id', name=op.f('pk_organisation_identities')),
    sa.UniqueConstraint('uscc', name=op.f('uq_organisation_identities_uscc'))
    )
    with op.batch_alter_table('organisation_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_identities_legal_rep_key'), ['legal_rep_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_identities_uscc_root'), ['uscc_root'], unique=False)

    op.create_table('qualifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('claimed_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind = 'in_province' OR (valid_from IS NOT NULL AND valid_until IS NOT NULL)", name=op.f('ck_qualifications_validity_required')),
    sa.CheckConstraint("kind IN ('in_province', 'sme', 'high_tech')", name=op.f('ck_qualifications_kind')),
    sa.CheckConstraint("status IN ('claimed', 'verified', 'rejected', 'withdrawn', 'revoked')", name=op.f('ck_qualifications_status')),
    sa.CheckConstraint("status NOT IN ('rejected', 'revoked') OR reason IS NOT NULL", name=op.f('ck_qualifications_reason_required')),
    sa.CheckConstraint('valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from', name=op.f('ck_qualifications_validity_order')),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['users.id'], name=op.f('fk_qualifications_claimed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_qualifications_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_qualifications_org_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qualifications'))
    )
    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qualifications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_qualifications_org_id'), ['org_id'], unique=False)
        batch_op.create_index('uq_qualifications_verified_number', ['kind', 'number'], unique=True, sqlite_where=sa.text("status = 'verified'"), postgresql_where=sa.text("status = 'verified'"))

    op.create_table('qualification_documents',
    sa.Column('qualification_id', sa.Integer(), nullable=False),
    sa.Column('upload_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['qualification_id'], ['qualifications.id'], name=op.f('fk_qualification_documents_qualification_id_qualifications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['upload_id'], ['uploads.id'], name=op.f('fk_qualification_documents_upload_id_uploads'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('qualification_id', 'upload_id', name=op.f('pk_qualification_documents'))
    )


    # Issue 9 item 4: usage beyond the booking waits for the user's confirmation.
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extension_end', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('extension_samples', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('extension_status', sa.String(length=20), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_bookings_extension_status'),
            "extension_status IS NULL OR extension_status IN ('proposed', 'confirmed', 'declined')")


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_bookings_extension_status'), type_='check')
        batch_op.drop_column('extension_status')
        batch_op.drop_column('extension_samples')
        batch_op.drop_column('extension_end')
    op.drop_table('qualification_documents')
    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.drop_index('uq_qualifications_verified_number', sqlite_where=sa.text("status = 'verified'"), postgresql_where=sa.text("status = 'verified'"))
        batch_op.drop_index(batch_op.f('ix_qualifications_org_id'))
        batch_op.drop_index(batch_op.f('ix_qualifications_created_at'))

    op.drop_table('qualifications')
    with op.batch_alter_table('organisation_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_identities_uscc_root'))
        batch_op.drop_index(batch_op.f('ix_organisation_identities_legal_rep_key'))

    op.drop_table('organisation_identities')
