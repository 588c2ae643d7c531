"""notifications in the recipient's language

Revision ID: 0028_user_language
Revises: 0026_deal_money
Create Date: 2026-12-07 18:30:00

- users.locale (never written) becomes users.language: the interface language a person last chose while
  signed in (or signed up in), 'zh' unless they chose English. Notifications and their mails are rendered
  in it.
- notifications.message: the subject and body as message keys and parameters (`core.i18n.Message`), so
  the page shows them in the reader's language; subject/body keep the text as first rendered (in the
  recipient's language), which is what rows written before this revision show.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028_user_language'
down_revision = '0026_deal_money'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE users SET locale = 'zh' WHERE locale IS NULL OR locale NOT IN ('zh', 'en')")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('locale', new_column_name='language', existing_type=sa.String(length=5),
                              type_=sa.String(length=5), nullable=False, server_default='zh')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('message')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('language', new_column_name='locale', existing_type=sa.String(length=5),
                              nullable=True, server_default=None)
