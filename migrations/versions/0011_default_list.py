"""The default list is made here, so reading it never writes.

Revision ID: 0011_default_list
Revises: 0010_outbox_message_id
"""

from alembic import op

revision = '0011_default_list'
down_revision = '0010_outbox_message_id'
branch_labels = None
depends_on = None


def upgrade():
    from listserve.core.lists import ensure_default_list

    ensure_default_list(op.get_bind())


def downgrade():
    pass  # the list stays: subscriptions and announcements hang from it
