"""replies by email become comments: where each comment came from

Revision ID: 0008_replies
Revises: 0007_perf
Create Date: 2026-11-22 00:05:36.000968

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_replies'
down_revision = '0007_perf'
branch_labels = None
depends_on = None


def upgrade():
    # Every comment written before this came from the web form.
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('via', sa.String(length=8), server_default='web', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('via')
