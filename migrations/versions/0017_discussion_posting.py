"""Discussion lists: posting policy settings, posts kept with their threading headers,
posters allowed or banned, and mailings that carry a poster's From and threading headers.

Revision ID: 0017_discussion_posting
Revises: 0016_api
"""

import sqlalchemy as sa
from alembic import op

revision = '0017_discussion_posting'
down_revision = '0016_api'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mailing_list') as batch:
        batch.add_column(sa.Column('moderate_first_posts', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('nonmember_policy', sa.String(16), nullable=False,
                                   server_default='hold'))
        batch.add_column(sa.Column('max_message_kb', sa.Integer(), nullable=False,
                                   server_default='512'))
        batch.add_column(sa.Column('attachment_policy', sa.String(16), nullable=False,
                                   server_default='strip'))
        batch.add_column(sa.Column('held_expiry_days', sa.Integer(), nullable=False,
                                   server_default='14'))
    # Plain ADD COLUMNs: the post table keeps its search triggers (no rebuild on SQLite).
    op.add_column('post', sa.Column('message_id', sa.String(250), nullable=True))
    op.add_column('post', sa.Column('in_reply_to', sa.String(250), nullable=True))
    op.add_column('post', sa.Column('references', sa.Text(), nullable=True))
    op.add_column('post', sa.Column('author_name', sa.String(200), nullable=True))
    op.add_column('post', sa.Column('author_email', sa.String(320), nullable=True))
    op.add_column('post', sa.Column('thread_id', sa.Integer(), nullable=True))
    op.create_index('ix_post_list_message_id', 'post', ['list_id', 'message_id'])
    op.create_index('ix_post_thread_id', 'post', ['thread_id'])
    with op.batch_alter_table('mailing') as batch:
        batch.add_column(sa.Column('from_name', sa.String(200), nullable=True))
        batch.add_column(sa.Column('from_address', sa.String(320), nullable=True))
        batch.add_column(sa.Column('in_reply_to', sa.String(250), nullable=True))
        batch.add_column(sa.Column('references', sa.Text(), nullable=True))
    op.create_table(
        'list_poster',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('list_id', sa.Integer(),
                  sa.ForeignKey('mailing_list.id', ondelete='CASCADE'), nullable=False),
        sa.Column('email_key', sa.String(320), nullable=False),
        sa.Column('standing', sa.String(16), nullable=False),
        sa.Column('accepted_posts', sa.Integer(), nullable=False),
        sa.UniqueConstraint('list_id', 'email_key'),
    )


def downgrade():
    op.drop_table('list_poster')
    with op.batch_alter_table('mailing') as batch:
        for name in ('references', 'in_reply_to', 'from_address', 'from_name'):
            batch.drop_column(name)
    op.drop_index('ix_post_thread_id', 'post')
    op.drop_index('ix_post_list_message_id', 'post')
    for name in ('thread_id', 'author_email', 'author_name', 'references', 'in_reply_to',
                 'message_id'):
        op.drop_column('post', name)
    with op.batch_alter_table('mailing_list') as batch:
        for name in ('held_expiry_days', 'attachment_policy', 'max_message_kb',
                     'nonmember_policy', 'moderate_first_posts'):
            batch.drop_column(name)
