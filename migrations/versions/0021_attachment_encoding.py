"""Attachments of a post forwarded by a list that keeps them: each keeps its transfer encoding.

Revision ID: 0021_attachment_encoding
Revises: 0020_i18n_announce
"""

import sqlalchemy as sa
from alembic import op

revision = '0021_attachment_encoding'
down_revision = '0020_i18n_announce'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no table rebuild on SQLite); existing attachments stay base64.
    op.add_column('mailing_attachment',
                  sa.Column('transfer_encoding', sa.String(20), nullable=True))


def downgrade():
    with op.batch_alter_table('mailing_attachment') as batch:
        batch.drop_column('transfer_encoding')
