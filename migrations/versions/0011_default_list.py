"""The default list is made here, so reading it never writes.

Revision ID: 0011_default_list
Revises: 0010_outbox_message_id
"""

import sqlalchemy as sa
from alembic import op

from listserve.core.db import UTCDateTime

revision = '0011_default_list'
down_revision = '0010_outbox_message_id'
branch_labels = None
depends_on = None

# The table as it stood at this revision: later revisions add columns the model names.
mailing_list = sa.table(
    "mailing_list",
    sa.column("id", sa.Integer), sa.column("slug", sa.String), sa.column("name", sa.String),
    sa.column("domain", sa.String), sa.column("description", sa.Text),
    sa.column("announce_only", sa.Boolean), sa.column("required_approvals", sa.Integer),
    sa.column("hold_all_comments", sa.Boolean), sa.column("created_at", UTCDateTime),
)


def upgrade():
    from flask import current_app

    from listserve.core.db import utcnow

    cfg = current_app.config
    bind = op.get_bind()
    if bind.scalar(sa.select(mailing_list.c.id).where(mailing_list.c.slug == cfg["LIST_SLUG"])):
        return
    bind.execute(mailing_list.insert().values(
        slug=cfg["LIST_SLUG"], name=cfg["LIST_NAME"], domain=cfg["LIST_DOMAIN"], description="",
        announce_only=True, required_approvals=1, hold_all_comments=False, created_at=utcnow(),
    ))


def downgrade():
    pass  # the list stays: subscriptions and announcements hang from it
