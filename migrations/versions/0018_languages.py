"""Languages: each subscription keeps the language its mail goes out in.

Revision ID: 0018_languages
Revises: 0017_discussion_posting
"""

import sqlalchemy as sa
from alembic import op

revision = '0018_languages'
down_revision = '0017_discussion_posting'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN keeps every row (no table rebuild on SQLite); existing subscriptions
    # have no stated language and get the site default.
    op.add_column('subscription', sa.Column('language', sa.String(8), nullable=True))


def downgrade():
    with op.batch_alter_table('subscription') as batch:
        batch.drop_column('language')
