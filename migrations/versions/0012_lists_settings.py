"""Several lists: each list's settings, each subscription's delivery mode, the lists a web
request to join asks for, and the list each archived post belongs to.

Existing data moves: announce_only becomes kind (announce / discussion), hold_all_comments
becomes comment_policy (all_held / open), the configured consent text becomes each existing
list's own, and every existing post belongs to the default list.

Revision ID: 0012_lists_settings
Revises: 0011_default_list
"""

import sqlalchemy as sa
from alembic import op

revision = '0012_lists_settings'
down_revision = '0011_default_list'
branch_labels = None
depends_on = None

NEW_LIST_COLUMNS = [
    sa.Column('public', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('kind', sa.String(length=16), server_default='announce', nullable=False),
    sa.Column('from_name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('from_address', sa.String(length=320), server_default='', nullable=False),
    sa.Column('reply_to_policy', sa.String(length=16), server_default='none', nullable=False),
    sa.Column('subject_prefix', sa.String(length=100), server_default='', nullable=False),
    sa.Column('comment_policy', sa.String(length=16), server_default='open', nullable=False),
    sa.Column('welcome_text', sa.Text(), server_default='', nullable=False),
    sa.Column('footer', sa.Text(), server_default='', nullable=False),
    sa.Column('consent_text', sa.Text(), server_default='', nullable=False),
    sa.Column('digest_schedule', sa.String(length=16), server_default='weekly', nullable=False),
]

lists = sa.table(
    'mailing_list', sa.column('id', sa.Integer), sa.column('slug', sa.String),
    sa.column('announce_only', sa.Boolean), sa.column('hold_all_comments', sa.Boolean),
    sa.column('kind', sa.String), sa.column('comment_policy', sa.String),
    sa.column('consent_text', sa.Text),
)
posts = sa.table('post', sa.column('list_id', sa.Integer))


def upgrade():
    from flask import current_app

    from listserve.core.db import UTCDateTime

    # Plain ALTER TABLE, never a batch rebuild: on SQLite (foreign keys on) dropping and
    # re-creating mailing_list would cascade-delete every subscription hanging from it.
    for column in NEW_LIST_COLUMNS:
        op.add_column('mailing_list', column)
    op.add_column('mailing_list', sa.Column('archived_at', UTCDateTime(timezone=True),
                                            nullable=True))
    op.execute(lists.update().values(
        kind=sa.case((lists.c.announce_only == sa.false(), 'discussion'), else_='announce'),
        comment_policy=sa.case((lists.c.hold_all_comments == sa.true(), 'all_held'),
                               else_='open'),
        consent_text=current_app.config['CONSENT_TEXT'],
    ))
    op.drop_column('mailing_list', 'announce_only')
    op.drop_column('mailing_list', 'hold_all_comments')

    op.add_column('subscription', sa.Column('delivery_mode', sa.String(length=8),
                                            server_default='each', nullable=False))
    op.add_column('signup_request', sa.Column('list_ids', sa.String(length=200), nullable=True))

    op.add_column('post', sa.Column('list_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_post_list_id'), 'post', ['list_id'], unique=False)
    default_id = sa.select(lists.c.id).where(lists.c.slug == current_app.config['LIST_SLUG'])
    op.execute(posts.update().values(list_id=default_id.scalar_subquery()))


def downgrade():
    op.drop_index(op.f('ix_post_list_id'), table_name='post')
    op.drop_column('post', 'list_id')
    op.drop_column('signup_request', 'list_ids')
    op.drop_column('subscription', 'delivery_mode')
    op.add_column('mailing_list', sa.Column('announce_only', sa.Boolean(),
                                            server_default=sa.true(), nullable=False))
    op.add_column('mailing_list', sa.Column('hold_all_comments', sa.Boolean(),
                                            server_default=sa.false(), nullable=False))
    op.execute(lists.update().values(
        announce_only=lists.c.kind != 'discussion',
        hold_all_comments=lists.c.comment_policy.in_(['all_held', 'first_held']),
    ))
    for column in ['archived_at', *(c.name for c in NEW_LIST_COLUMNS)]:
        op.drop_column('mailing_list', column)
