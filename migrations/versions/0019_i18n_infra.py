"""Languages of mail: a mailing's language (its Content-Language) and the page's language a
request to join was made on (the subscription's language once a worker carries it out).

Revision ID: 0019_i18n_infra
Revises: 0018_languages
"""

import sqlalchemy as sa
from alembic import op

revision = '0019_i18n_infra'
down_revision = '0018_languages'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMNs, nullable: existing rows keep every value (None: the site default).
    op.add_column('mailing', sa.Column('language', sa.String(8), nullable=True))
    op.add_column('signup_request', sa.Column('language', sa.String(8), nullable=True))


def downgrade():
    with op.batch_alter_table('signup_request') as batch:
        batch.drop_column('language')
    with op.batch_alter_table('mailing') as batch:
        batch.drop_column('language')
