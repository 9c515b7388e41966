"""The database: engine settings that differ between SQLite and PostgreSQL, and shared column types.

Engine settings that differ between SQLite and PostgreSQL.

Column types shared by every feature's models.
"""

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
    columns, goes to the driver on a pooled connection put in autocommit for it: the server
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
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        driver.autocommit = True
        try:
            driver.execute(sql, values)
        finally:
            if driver.closed or driver.broken:
                raw.invalidate()  # the pool makes a new connection; this one is gone
            else:
                driver.autocommit = False
    finally:
        raw.close()


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
