"""delivery: bounce events, claim index, one queue per announcement

Bounce events feed the bounce score; the claim index holds only copies still to send, so a
claim stays cheap late in a big send; an announcement (one purpose) can be queued once.

Revision ID: 0002_delivery
Revises: 0006_admin
Create Date: 2026-11-21 23:10:52.800091

"""
from alembic import op
import sqlalchemy as sa

import listserve.core.db


# revision identifiers, used by Alembic.
revision = '0002_delivery'
down_revision = '0006_admin'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bounce_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('outbox_entry_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('diagnostic', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('created_at', listserve.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['outbox_entry_id'], ['outbox.id'], name=op.f('fk_bounce_event_outbox_entry_id_outbox'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], name=op.f('fk_bounce_event_subscription_id_subscription'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bounce_event'))
    )
    with op.batch_alter_table('bounce_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bounce_event_subscription_id'), ['subscription_id'], unique=False)

    with op.batch_alter_table('mailing', schema=None) as batch_op:
        batch_op.create_index('uq_mailing_announcement_purpose', ['purpose'], unique=True, postgresql_where=sa.text("kind = 'announcement'"), sqlite_where=sa.text("kind = 'announcement'"))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')
        batch_op.create_index('ix_outbox_due', ['next_attempt_at', 'id'], unique=False, postgresql_where=sa.text("status IN ('queued', 'retrying')"), sqlite_where=sa.text("status IN ('queued', 'retrying')"))



def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due', postgresql_where=sa.text("status IN ('queued', 'retrying')"), sqlite_where=sa.text("status IN ('queued', 'retrying')"))
        batch_op.create_index(batch_op.f('ix_outbox_due'), ['status', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('mailing', schema=None) as batch_op:
        batch_op.drop_index('uq_mailing_announcement_purpose', postgresql_where=sa.text("kind = 'announcement'"), sqlite_where=sa.text("kind = 'announcement'"))

    with op.batch_alter_table('bounce_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bounce_event_subscription_id'))

    op.drop_table('bounce_event')
