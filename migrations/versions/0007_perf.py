"""content version: one counter that moves whenever public content changes

Revision ID: 0007_perf
Revises: 0005_inbound
Create Date: 2026-11-21 23:44:03.272103

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_perf'
down_revision = '0005_inbound'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_version'))
    )
    # The row the cache reads; listserve.core.content_version also recreates it if it goes missing.
    op.execute("INSERT INTO content_version (id, version) VALUES (1, 1)")


def downgrade():
    op.drop_table('content_version')
