"""outbox: Message-IDs unique only where set; room on PostgreSQL pages for claims

Announcement copies are queued without a Message-ID: the worker makes each from the copy's
id when it sends it and records it with the outcome. The unique index therefore holds only
the Message-IDs set (a partial index), so queueing a big send adds no entry to it per copy.

On PostgreSQL the outbox gets fillfactor 50: a claim (claimed_by, claimed_until) changes no
indexed column, and with room left on the page it is a HOT update, which adds nothing to
the indexes. The setting applies to pages written from now on; a `VACUUM FULL outbox` (or
`pg_repack`) applies it to existing pages too, at the cost of locking the table meanwhile.

On SQLite dropping the old constraint rebuilds the table, now with an AUTOINCREMENT id (a
copy's id is in its bounce address: an id handed out again could pin a late bounce on the
wrong subscriber); the bounce history's links to copies are kept across the rebuild (see
_bounce_links_kept).

Revision ID: 0010_outbox_message_id
Revises: 0009_signups
Create Date: 2026-11-22 09:00:00.000000

"""
import contextlib

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_outbox_message_id'
down_revision = '0009_signups'
branch_labels = None
depends_on = None

SET = sa.text("message_id IS NOT NULL")


def upgrade():
    # On SQLite the rebuild also makes the id AUTOINCREMENT: ids of deleted rows never return.
    with _bounce_links_kept(), op.batch_alter_table(
        'outbox', schema=None, recreate='auto', table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_constraint('uq_outbox_message_id', type_='unique')
        batch_op.create_index('uq_outbox_message_id', ['message_id'], unique=True,
                              postgresql_where=SET, sqlite_where=SET)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE outbox SET (fillfactor = 50)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE outbox RESET (fillfactor)')
    with _bounce_links_kept(), op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('uq_outbox_message_id', postgresql_where=SET, sqlite_where=SET)
        batch_op.create_unique_constraint('uq_outbox_message_id', ['message_id'])


@contextlib.contextmanager
def _bounce_links_kept():
    """SQLite drops a constraint by copying the table and dropping the old one, and with
    foreign keys on (as the app runs) that DROP sets every bounce_event.outbox_entry_id to
    NULL (ON DELETE SET NULL): the bounce history would lose which copy bounced. The pragma
    cannot be turned off inside the migration's transaction, so the links are put back."""
    if op.get_bind().dialect.name != 'sqlite':
        yield
        return
    op.execute('CREATE TEMP TABLE bounce_link AS SELECT id, outbox_entry_id FROM bounce_event '
               'WHERE outbox_entry_id IS NOT NULL')
    yield
    op.execute('UPDATE bounce_event SET outbox_entry_id = (SELECT outbox_entry_id FROM '
               'bounce_link WHERE bounce_link.id = bounce_event.id) '
               'WHERE id IN (SELECT id FROM bounce_link)')
    op.execute('DROP TABLE bounce_link')
