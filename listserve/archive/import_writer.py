"""Where an archive import's batches of rows go: on PostgreSQL, to two writer threads with a
connection each, so that the server indexes one batch for the search (to_tsvector, the
costliest part of an import) while the next is parsed and another batch is written; on
SQLite (one writer at a time), into the caller's session, one IMMEDIATE transaction a batch.

Every batch is one transaction that also moves the public content version on, so a batch
committed is a batch shown. Rows carry their ids and threads already, so the order in which
the writers commit does not matter; a writer's error is raised in the caller at its next batch.
"""

from concurrent.futures import Future, ThreadPoolExecutor

import sqlalchemy as sa

from listserve.archive.models import Post
from listserve.core.content_version import bump_version
from listserve.core.db import IMMEDIATE, is_postgresql
from listserve.extensions import db

WRITERS = 2


class BatchWriter:
    def __init__(self, commit: bool = True):
        self.commit = commit
        self.engine = db.engine if commit and is_postgresql() else None
        self.pool = ThreadPoolExecutor(WRITERS) if self.engine is not None else None
        self.pending: list[Future] = []
        if commit and self.pool is None:
            self._begin()

    def write(self, rows: list[dict]) -> None:
        """Insert these posts (commits the batch when the writer commits)."""
        if not rows:
            return
        if self.pool is None:
            db.session.execute(Post.__table__.insert(), rows)  # one multi-row INSERT
            if self.commit:
                db.session.commit()
                self._begin()
            return
        while len(self.pending) >= WRITERS:  # a batch parsed ahead, no more
            self.pending.pop(0).result()
        self.pending.append(self.pool.submit(self._insert_and_commit, rows))

    def finish(self) -> None:
        """Wait for every batch, then commit; raises the first writer's error."""
        try:
            for future in self.pending:
                future.result()
        except BaseException:
            self.abandon()
            raise
        self._stop()
        if self.commit:
            db.session.commit()

    def abandon(self) -> None:
        """After an error: let the batches under way end (committed or not), keep nothing else."""
        self._stop()
        db.session.rollback()

    def _stop(self) -> None:
        self.pending = []
        if self.pool is not None:
            self.pool.shutdown(wait=True)

    def _insert_and_commit(self, rows: list[dict]) -> None:
        columns = list(rows[0])
        quoted = ", ".join(f'"{name}"' for name in columns)
        with self.engine.begin() as connection:
            # COPY: a third of the server's work of as many INSERTs, and less of ours.
            cursor = connection.connection.driver_connection.cursor()
            with cursor.copy(f"COPY post ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[name] for name in columns])
            bump_version(connection)

    def _begin(self) -> None:
        # SQLite: each batch holds the write lock from its first read (see mbox_import's ids).
        db.session.connection(execution_options=IMMEDIATE)


def reserve_post_ids(count: int) -> list[int]:
    """Ids for `count` new posts, taken before they are written, so each row goes in once
    with its thread (an UPDATE afterwards would re-index its text for the search)."""
    if is_postgresql():
        return list(db.session.scalars(sa.text(
            "SELECT nextval(pg_get_serial_sequence('post', 'id')) "
            "FROM generate_series(1, :n)"), {"n": count}))
    # SQLite: the transaction began IMMEDIATE (the only writer), so the ids are free.
    highest = db.session.scalar(sa.select(sa.func.max(Post.id))) or 0
    return list(range(highest + 1, highest + 1 + count))
