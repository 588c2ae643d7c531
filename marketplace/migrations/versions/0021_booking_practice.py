"""booking practice: training requests, qualification expiry, the assisted rate, downtime, weekly series, usage captured from the instrument

Qualifications granted before this revision keep no expiry (valid_until NULL, shown as 长期); every
grant from now on has one.

Revision ID: 0021_booking_practice
Revises: 0020_billing
Create Date: 2026-12-07 15:02:10.833421

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_booking_practice'
down_revision = '0020_billing'
branch_labels = None
depends_on = None


def _defer_foreign_keys():
    """SQLite's batch mode copies and drops the bookings table, which others reference: check at commit."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA defer_foreign_keys = ON")


def upgrade():
    _defer_foreign_keys()
    op.create_table('booking_instrument_tokens',
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_booking_instrument_tokens_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['instrument_id'], ['resources.id'], name=op.f('fk_booking_instrument_tokens_instrument_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('instrument_id', name=op.f('pk_booking_instrument_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_booking_instrument_tokens_token_hash'))
    )
    op.create_table('booking_instrument_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ended_at IS NULL OR ended_at > started_at', name=op.f('ck_booking_instrument_sessions_span')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_instrument_sessions_booking_id_bookings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['instrument_id'], ['resources.id'], name=op.f('fk_booking_instrument_sessions_instrument_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_instrument_sessions'))
    )
    with op.batch_alter_table('booking_instrument_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_instrument_sessions_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_instrument_sessions_instrument_id'), ['instrument_id'], unique=False)
        batch_op.create_index('uq_booking_instrument_sessions_open', ['instrument_id'], unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    op.create_table('booking_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('provider_org_id', sa.Integer(), nullable=False),
    sa.Column('weekly_until', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instrument_id'], ['resources.id'], name=op.f('fk_booking_series_instrument_id_resources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_org_id'], ['organisations.id'], name=op.f('fk_booking_series_provider_org_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_booking_series_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_series'))
    )
    with op.batch_alter_table('booking_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_series_instrument_id'), ['instrument_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_series_provider_org_id'), ['provider_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_series_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_bookings_series_id'), ['series_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_bookings_series_id_booking_series'), 'booking_series', ['series_id'], ['id'], ondelete='SET NULL')

    op.create_table('booking_downtime',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=True),
    sa.Column('fixed_at', sa.DateTime(), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('blackout_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('maintenance', 'incident')", name=op.f('ck_booking_downtime_kind')),
    sa.CheckConstraint("severity IS NULL OR severity IN ('low', 'medium', 'high')", name=op.f('ck_booking_downtime_severity')),
    sa.CheckConstraint('ends_at IS NULL OR ends_at > starts_at', name=op.f('ck_booking_downtime_span')),
    sa.CheckConstraint('fixed_at IS NULL OR fixed_at > starts_at', name=op.f('ck_booking_downtime_fixed')),
    sa.ForeignKeyConstraint(['blackout_id'], ['booking_blackouts.id'], name=op.f('fk_booking_downtime_blackout_id_booking_blackouts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['instrument_id'], ['resources.id'], name=op.f('fk_booking_downtime_instrument_id_resources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_booking_downtime_reported_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_downtime'))
    )
    with op.batch_alter_table('booking_downtime', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_downtime_instrument_id'), ['instrument_id'], unique=False)

    op.create_table('booking_training_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('provider_org_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('lab_note', sa.String(length=1000), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('requested', 'scheduled', 'trained', 'qualified', 'declined', 'cancelled')", name=op.f('ck_booking_training_requests_status')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_booking_training_requests_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['instrument_id'], ['resources.id'], name=op.f('fk_booking_training_requests_instrument_id_resources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_org_id'], ['organisations.id'], name=op.f('fk_booking_training_requests_provider_org_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_booking_training_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_training_requests'))
    )
    with op.batch_alter_table('booking_training_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_training_requests_instrument_id'), ['instrument_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_training_requests_provider_org_id'), ['provider_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_training_requests_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_booking_training_open', ['instrument_id', 'user_id'], unique=True, sqlite_where=sa.text("status IN ('requested', 'scheduled', 'trained')"), postgresql_where=sa.text("status IN ('requested', 'scheduled', 'trained')"))

    with op.batch_alter_table('booking_qualifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_booking_qualifications_valid_until'), ['valid_until'], unique=False)

    with op.batch_alter_table('booking_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assisted_percent', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_booking_settings_assisted'),
                                         'assisted_percent IS NULL OR assisted_percent BETWEEN 100 AND 1000')



def downgrade():
    _defer_foreign_keys()
    with op.batch_alter_table('booking_instrument_sessions', schema=None) as batch_op:
        batch_op.drop_index('uq_booking_instrument_sessions_open', sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_booking_instrument_sessions_instrument_id'))
        batch_op.drop_index(batch_op.f('ix_booking_instrument_sessions_booking_id'))

    op.drop_table('booking_instrument_sessions')
    op.drop_table('booking_instrument_tokens')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_bookings_series_id_booking_series'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_bookings_series_id'))
        batch_op.drop_column('series_id')

    with op.batch_alter_table('booking_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_series_user_id'))
        batch_op.drop_index(batch_op.f('ix_booking_series_provider_org_id'))
        batch_op.drop_index(batch_op.f('ix_booking_series_instrument_id'))

    op.drop_table('booking_series')
    with op.batch_alter_table('booking_downtime', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_downtime_instrument_id'))
    op.drop_table('booking_downtime')
    with op.batch_alter_table('booking_settings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_booking_settings_assisted'), type_='check')
        batch_op.drop_column('assisted_percent')

    with op.batch_alter_table('booking_qualifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_qualifications_valid_until'))
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('valid_until')

    with op.batch_alter_table('booking_training_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_booking_training_open', sqlite_where=sa.text("status IN ('requested', 'scheduled', 'trained')"), postgresql_where=sa.text("status IN ('requested', 'scheduled', 'trained')"))
        batch_op.drop_index(batch_op.f('ix_booking_training_requests_user_id'))
        batch_op.drop_index(batch_op.f('ix_booking_training_requests_provider_org_id'))
        batch_op.drop_index(batch_op.f('ix_booking_training_requests_instrument_id'))

    op.drop_table('booking_training_requests')
