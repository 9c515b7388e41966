"""Digests: one row per list and period claims the period's digest (queued exactly once).

Revision ID: 0013_lists_digest
Revises: 0012_lists_settings
"""

import sqlalchemy as sa
from alembic import op

import listserve.core.db

revision = '0013_lists_digest'
down_revision = '0012_lists_settings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'digest_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('list_id', sa.Integer(), nullable=False),
        sa.Column('period_start', listserve.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('period_end', listserve.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('posts', sa.Integer(), nullable=False),
        sa.Column('mailing_id', sa.Integer(), nullable=True),
        sa.Column('created_at', listserve.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['list_id'], ['mailing_list.id'],
                                name=op.f('fk_digest_run_list_id_mailing_list'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['mailing_id'], ['mailing.id'],
                                name=op.f('fk_digest_run_mailing_id_mailing'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_run')),
        sa.UniqueConstraint('list_id', 'period_start',
                            name=op.f('uq_digest_run_list_id_period_start')),
    )


def downgrade():
    op.drop_table('digest_run')
