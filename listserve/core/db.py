"""The database: engine settings that differ between SQLite and PostgreSQL, and shared column types.

Engine settings that differ between SQLite and PostgreSQL.

Column types shared by every feature's models.
"""

import contextlib
import os
import threading
import time
import weakref
from datetime import UTC, datetime

import click
import sqlalchemy as sa
from flask import Flask, has_request_context, request
from sqlalchemy import DateTime, event
from sqlalchemy.dialects import postgresql, sqlite
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


def insert_row(table: sa.Table, values: dict) -> None:
    """Store one row with one INSERT that is a transaction of its own, committed when this
    returns (a request that must answer only once what it was sent is stored).

    On PostgreSQL (psycopg) the INSERT, compiled by SQLAlchemy once per table and set of
    columns, goes to the driver on a connection in autocommit that each thread keeps for it
    (`_autocommit_connection`): the server
    commits the statement on its own, one round trip instead of three (BEGIN, INSERT, COMMIT),
    and as durable. SQLAlchemy's statement execution (cache look-up, execution context,
    result set-up, isolation level set and reset) cost more CPU than the driver's whole
    INSERT (bench/post_cost.py). Column types' bind processors still apply; tables whose
    columns take Python-side defaults, and other databases, take SQLAlchemy's road. SQLite
    keeps BEGIN…COMMIT: its driver's autocommit switch would stay on the connection after it
    went back to the pool, where the rest of the app expects transactions to begin only when
    SQLAlchemy says (`_configure_sqlite_connection`)."""
    engine = db.engine
    prepared = _driver_insert(engine.dialect, table, tuple(values))
    if prepared is None:
        with engine.begin() as connection:
            connection.execute(table.insert(), values)
        return
    sql, processors = prepared
    if processors:
        values = {**values, **{name: process(values[name]) for name, process in processors}}
    connection = _autocommit_connection(engine)
    try:
        connection.execute(sql, values)
    except BaseException:
        if connection.closed or connection.broken:
            _forget_autocommit_connection(engine)  # the next INSERT opens a new one
        raise


class _Kept:
    """A thread's autocommit connection to one engine's database. Closed with the engine
    (disposed or collected) or when its thread ends, whichever comes first."""

    __slots__ = ("connection", "opened", "__weakref__")

    def __init__(self, connection):
        self.connection, self.opened = connection, time.monotonic()

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None and not connection.closed:
            with contextlib.suppress(Exception):
                connection.close()

    __del__ = close


_kept = threading.local()  # {engine: _Kept} per thread
_kept_of_engine: "weakref.WeakKeyDictionary[sa.Engine, weakref.WeakSet]" = (
    weakref.WeakKeyDictionary())  # every thread's, for closing them with the engine
_kept_lock = threading.Lock()
_inherited: list = []  # a forked child's copies of its parent's connections: never closed


def _autocommit_connection(engine: sa.Engine):
    """This thread's psycopg connection in autocommit to `engine`'s database: made by the
    engine's pool (its connect arguments and events) and detached from it, kept for the
    next INSERT, so that an INSERT is the driver's execute alone, as in the cheapest
    hello-world that stores a POST (bench/web.py). Taking a pooled connection, putting it in
    autocommit and back and returning it to the pool (which resets it) cost about a third of
    the INSERT's CPU (bench/post_cost.py). Renewed after the pool's recycle time, as a pooled
    connection would be."""
    by_engine = getattr(_kept, "by_engine", None)
    if by_engine is None:
        by_engine = _kept.by_engine = weakref.WeakKeyDictionary()
    kept = by_engine.get(engine)
    if kept is not None:
        recycle = getattr(engine.pool, "_recycle", -1)  # pool_recycle (config: 1800 s)
        if kept.connection is not None and not kept.connection.closed and (
                recycle < 0 or time.monotonic() - kept.opened < recycle):
            return kept.connection
        kept.close()
    pooled = engine.raw_connection()
    connection = pooled.driver_connection
    pooled.detach()  # the pool forgets it (and makes another when it needs one)
    connection.autocommit = True
    kept = by_engine[engine] = _Kept(connection)
    with _kept_lock:
        if engine not in _kept_of_engine:
            _kept_of_engine[engine] = weakref.WeakSet()
            event.listen(engine, "engine_disposed", _close_kept_connections)
        _kept_of_engine[engine].add(kept)
    return connection


def _forget_autocommit_connection(engine: sa.Engine) -> None:
    kept = getattr(_kept, "by_engine", {}).pop(engine, None)
    if kept is not None:
        kept.close()


def _close_kept_connections(engine: sa.Engine) -> None:
    """engine.dispose() closes every thread's kept connection, as it closes the pool's."""
    with _kept_lock:
        kept = list(_kept_of_engine.get(engine, ()))
    for each in kept:
        each.close()


def _after_fork_in_child() -> None:
    # The parent's connections are not the child's to use or to close (closing one would end
    # the parent's session): the child keeps the objects and opens its own.
    for kept in list(getattr(_kept, "by_engine", {}).values()):
        _inherited.append(kept.connection)
        kept.connection = None
    _kept.by_engine = weakref.WeakKeyDictionary()
    with contextlib.suppress(Exception):
        for group in list(_kept_of_engine.values()):
            for kept in list(group):
                _inherited.append(kept.connection)
                kept.connection = None


os.register_at_fork(after_in_child=_after_fork_in_child)


_DRIVER_INSERTS: dict[tuple, tuple | None] = {}


def _driver_insert(dialect, table: sa.Table, columns: tuple[str, ...]) -> tuple | None:
    """(the INSERT's SQL for the driver, [(column, bind processor)]) or None for SQLAlchemy's
    road, made once per dialect, table and columns."""
    key = (dialect.name, dialect.driver, table, columns)
    if key not in _DRIVER_INSERTS:
        prepared = None
        if dialect.name == "postgresql" and dialect.driver == "psycopg":
            compiled = table.insert().compile(dialect=dialect, column_keys=list(columns))
            # Only the values given, each bound by its own name (no Python-side defaults to
            # fill in, which only SQLAlchemy's execution would).
            if sorted(compiled.binds) == sorted(columns) and not compiled.insert_prefetch:
                processors = [(name, process) for name in columns
                              if (process := table.c[name].type.bind_processor(dialect))]
                prepared = (compiled.string, processors)
        _DRIVER_INSERTS[key] = prepared
    return _DRIVER_INSERTS[key]


def insert_many(table: sa.Table, rows: list[dict], returning: tuple = (),
                conflict_key: str | None = None) -> list:
    """Insert `rows` (dicts with the same keys) in one statement in the session's transaction;
    return the `returning` columns of the rows inserted. `conflict_key`: a unique column on
    whose conflict a row is skipped.

    On PostgreSQL: INSERT … SELECT unnest(one array per column): one short statement whatever
    the number of rows. SQLAlchemy's multi-row VALUES statement names every value of every
    row (`%(email__199)s`), which makes a 200-row INSERT far too long for psycopg's cache of
    parsed statements, and psycopg then parses it again, in Python, on every execution: a
    quarter of the CPU of a worker carrying out sign-ups. A column with the same value in
    every row (a round's time, a list, a status) is sent once, not as an array, and the arrays
    go in PostgreSQL's binary format (see _bulk_insert). Elsewhere the multi-row INSERT."""
    if not rows:
        return []
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        statement = (sqlite.insert(table) if connection.dialect.name == "sqlite"
                     else sa.insert(table))
        if conflict_key:
            statement = statement.on_conflict_do_nothing(index_elements=[conflict_key])
        if returning:
            statement = statement.returning(*returning)
            return connection.execute(statement, rows).all()
        connection.execute(statement, rows)
        return []
    columns = {name: [row[name] for row in rows] for name in rows[0]}
    # One type per column: count() compares with ==, at C speed.
    constant = tuple(name for name, values in columns.items()
                     if values.count(values[0]) == len(values))
    varying = tuple(name for name in columns if name not in constant)
    if not varying:  # identical rows: one array still says how many
        varying, constant = constant[:1], constant[1:]
    bulk = _bulk_insert(connection.dialect, table, varying, constant, tuple(returning),
                        conflict_key)
    if bulk is None:  # defaults only SQLAlchemy's execution fills in
        names = list(columns)
        arrays = [sa.func.unnest(sa.bindparam(name, type_=postgresql.ARRAY(table.c[name].type)))
                  for name in names]
        statement = postgresql.insert(table).from_select(names, sa.select(*arrays))
        if conflict_key:
            statement = statement.on_conflict_do_nothing(index_elements=[conflict_key])
        if returning:
            statement = statement.returning(*returning)
        result = connection.execute(statement, columns)
        return result.all() if returning else []
    sql, processors, defaults = bulk
    params = {name: columns[name] for name in varying}
    params.update((name, columns[name][0]) for name in constant)
    params.update((name, default()) for name, default in defaults)
    for name, process, per_element in processors:
        value = params[name]
        params[name] = [process(v) for v in value] if per_element else process(value)
    result = connection.exec_driver_sql(sql, params)
    return result.all() if returning else []


_BULK_INSERTS: dict[tuple, tuple | None] = {}


def _bulk_insert(dialect, table: sa.Table, varying: tuple, constant: tuple, returning: tuple,
                 conflict_key: str | None) -> tuple | None:
    """(SQL for psycopg, [(name, bind processor, per element)], [(name, default)]) of an
    INSERT … SELECT unnest(%(varying)b::type[]) …, %(constant)s, made once per table and
    shape; None when a column left out takes a default that is not a plain value or a
    function of nothing.

    `%(name)b` asks psycopg for the binary format: its text format quotes and escapes each
    element of an array in Python (a regular expression per string, ~6 µs per timestamp),
    which cost more CPU than the rest of a sign-up round's INSERT."""
    key = (dialect.driver, table, varying, constant, returning, conflict_key)
    if key in _BULK_INSERTS:
        return _BULK_INSERTS[key]
    prepared = None
    if dialect.driver == "psycopg":
        names = [*varying, *constant]
        selected = [sa.func.unnest(sa.bindparam(name, type_=postgresql.ARRAY(table.c[name].type)))
                    for name in varying]
        selected += [sa.bindparam(name, type_=table.c[name].type) for name in constant]
        statement = postgresql.insert(table).from_select(names, sa.select(*selected))
        if conflict_key:
            statement = statement.on_conflict_do_nothing(index_elements=[conflict_key])
        if returning:
            statement = statement.returning(*returning)
        compiled = statement.compile(dialect=dialect)
        defaults = []
        for name in compiled.binds:
            if name in names:
                continue
            default = table.c[name].default if name in table.c else None
            if default is not None and default.is_scalar:
                defaults.append((name, lambda value=default.arg: value))
            elif default is not None and default.is_callable:
                defaults.append((name, lambda fn=default.arg: fn(None)))
            else:
                defaults = None
                break
        if defaults is not None:
            sql = compiled.string
            for name in varying:
                sql = sql.replace(f"%({name})s", f"%({name})b")
            processors = [
                (name, process, name in varying)
                for name in [*names, *(n for n, _ in defaults)]
                if (process := table.c[name].type.bind_processor(dialect))
            ]
            prepared = (sql, processors, defaults)
    _BULK_INSERTS[key] = prepared
    return prepared


def among(column: sa.ColumnElement, values: list) -> sa.ColumnElement[bool]:
    """column IN (values); on PostgreSQL `column = ANY(array)`, one parameter whatever the
    number of values, so the statement stays short enough for the driver's cache (see
    insert_many)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, list(values),
                                              type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


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
