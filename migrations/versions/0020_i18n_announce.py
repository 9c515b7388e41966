"""Announcements and public pages in several languages: a revision's language, an archived
post's translations, a public page's translations (a mailing's language came with 0019).

Existing rows keep their meaning: revisions with no language are the default-language version,
and posts and pages are their default-language text.

Revision ID: 0020_i18n_announce
Revises: 0019_i18n_infra
"""

import sqlalchemy as sa
from alembic import op

import listserve.core.db

revision = '0020_i18n_announce'
down_revision = '0019_i18n_infra'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMNs: no table rebuild on SQLite, every row kept.
    op.add_column('announcement_revision', sa.Column('language', sa.String(8), nullable=True))
    op.create_table(
        'post_translation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(8), nullable=False),
        sa.Column('subject', sa.String(998), nullable=False),
        sa.Column('body_markdown', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['post.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('post_id', 'language'),
    )
    op.create_table(
        'page_translation',
        sa.Column('page', sa.String(32), nullable=False),
        sa.Column('language', sa.String(8), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', listserve.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['committee_member.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('page', 'language'),
    )


def downgrade():
    op.drop_table('page_translation')
    op.drop_table('post_translation')
    with op.batch_alter_table('announcement_revision') as batch:
        batch.drop_column('language')
