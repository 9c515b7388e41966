"""The database: engine settings that differ between SQLite and PostgreSQL, and shared column types.

Engine settings that differ between SQLite and PostgreSQL.

Column types shared by every feature's models.
"""

from datetime import UTC, datetime

import click
from flask import Flask, has_request_context, request
from sqlalchemy import DateTime, event
from sqlalchemy.types import TypeDecorator

from listserve.extensions import db

# Passed as Session.connection(execution_options=IMMEDIATE) by code that must hold SQLite's
# write lock from its first read (claiming outbox rows): BEGIN IMMEDIATE instead of BEGIN.
IMMEDIATE = {"sqlite_begin": "BEGIN IMMEDIATE"}


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite_transaction)


def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not the sqlite3 module, say when transactions begin (so BEGIN IMMEDIATE
    # is possible), wait for locks instead of failing, and let readers run beside a writer.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 15000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _begin_sqlite_transaction(connection) -> None:
    begin = connection.get_execution_options().get("sqlite_begin")
    if begin is None:
        begin = "BEGIN IMMEDIATE" if _may_write() else "BEGIN"
    connection.exec_driver_sql(begin)


def _may_write() -> bool:
    # In WAL mode a transaction that reads, then writes after another connection committed,
    # fails at once with "database is locked": the busy timeout does not cover upgrading a
    # stale snapshot. So requests that change things (all but GET) and commands (the delivery
    # worker among them) take the write lock when they begin, and wait their turn; pages
    # being read run beside a writer.
    if has_request_context():
        return request.method not in ("GET", "HEAD", "OPTIONS")
    return click.get_current_context(silent=True) is not None


def is_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def single_write():
    """A connection for one statement that is a transaction of its own, stored once the block
    ends. On PostgreSQL it runs in autocommit: the server commits the statement on its own, so
    it takes one round trip instead of three (BEGIN, the statement, COMMIT) and is as durable.
    SQLite keeps BEGIN…COMMIT: its driver's autocommit switch would stay on the connection
    after it went back to the pool, where the rest of the app expects transactions to begin
    only when SQLAlchemy says (`_configure_sqlite_connection`)."""
    if is_postgresql():
        return db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    return db.engine.begin()


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in Python on both engines (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
