"""CSV imports uploaded through the API, read by the worker (branch api-23).

Revision ID: 0022_api_imports
Revises: 0021_attachment_encoding
"""

import sqlalchemy as sa
from alembic import op

import listserve.core.db

revision = '0022_api_imports'
down_revision = '0021_attachment_encoding'
branch_labels = None
depends_on = None


def upgrade():
    counts = [sa.Column(name, sa.Integer(), nullable=False) for name in (
        'size', 'lines', 'rows', 'added', 'duplicates', 'already_on_list', 'erased', 'invalid',
        'confirmations_queued')]
    op.create_table(
        'api_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_id', sa.Integer(), nullable=True),
        sa.Column('member_id', sa.Integer(), nullable=True),
        sa.Column('list_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('consent_source', sa.String(length=150), nullable=False),
        sa.Column('imported_by', sa.String(length=200), nullable=False),
        sa.Column('attested', sa.Boolean(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        *counts,
        sa.Column('errors', sa.Text(), nullable=False),
        sa.Column('errors_not_listed', sa.Integer(), nullable=False),
        sa.Column('failure', sa.String(length=500), nullable=True),
        sa.Column('created_at', listserve.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('started_at', listserve.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('finished_at', listserve.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['token_id'], ['api_token.id'],
                                name=op.f('fk_api_import_token_id_api_token'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['member_id'], ['committee_member.id'],
                                name=op.f('fk_api_import_member_id_committee_member'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['list_id'], ['mailing_list.id'],
                                name=op.f('fk_api_import_list_id_mailing_list'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_import')),
    )
    op.create_index('ix_api_import_state', 'api_import', ['state', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_api_import_state', table_name='api_import')
    op.drop_table('api_import')
