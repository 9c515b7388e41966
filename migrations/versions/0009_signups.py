"""requests to join from the web, carried out by a worker

Revision ID: 0009_signups
Revises: 0008_replies
Create Date: 2026-11-22 01:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import listserve.core.db


# revision identifiers, used by Alembic.
revision = '0009_signups'
down_revision = '0008_replies'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'signup_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('ip', sa.String(length=45), nullable=True),
        sa.Column('user_agent', sa.String(length=400), nullable=True),
        sa.Column('requested_at', listserve.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signup_request')),
    )


def downgrade():
    op.drop_table('signup_request')
