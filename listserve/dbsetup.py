"""Engine settings that differ between SQLite and PostgreSQL."""

from flask import Flask, request
from sqlalchemy import event

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
        app.before_request(_writers_begin_immediately)


def begin_writing() -> None:
    """Start the session's next transaction as a writer: BEGIN IMMEDIATE on SQLite.

    In WAL mode a transaction that reads and then writes fails at once ("database is
    locked") if another process committed in between; one that takes the write lock first
    waits its turn instead. Call it before the first query of anything that will write.
    """
    if db.engine.dialect.name == "sqlite":
        db.session.connection(execution_options=IMMEDIATE)


def _writers_begin_immediately() -> None:
    # Requests that change data (every POST) take SQLite's write lock up front; GET and
    # HEAD requests never write, so readers keep running side by side.
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        begin_writing()


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
    connection.exec_driver_sql(connection.get_execution_options().get("sqlite_begin", "BEGIN"))


def is_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"
