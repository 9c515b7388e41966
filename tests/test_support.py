"""The test harness itself: emptying the tables after a test survives a concurrent writer."""

import threading
import time

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql

from listserve.core.lists import MailingList
from listserve.extensions import db
from tests.support import empty_all_tables

SELECT_ONE = sql.SQL("SELECT 1 FROM {} LIMIT 1")
WAITING_ON_A_LOCK = """SELECT count(*) FROM pg_stat_activity
                       WHERE datname = current_database() AND wait_event_type = 'Lock'"""


def test_emptying_the_tables_outlasts_a_deadlock_with_a_worker(app, database_url):
    """The browser journeys' live server runs a worker on the test database; a transaction
    of its that holds a late table and then asks for an early one deadlocks with TRUNCATE.
    PostgreSQL cancels the TRUNCATE (it waited first); the next test must still start empty."""
    if not database_url.startswith("postgresql"):
        pytest.skip("TRUNCATE and its lock order are PostgreSQL's")
    tables = [t.name for t in db.metadata.sorted_tables]
    first, last = tables[0], tables[-1]
    url = sa.make_url(database_url).set(drivername="postgresql").render_as_string(
        hide_password=False)
    errors, holding = [], threading.Event()

    def worker():
        try:
            with psycopg.connect(url) as conn, psycopg.connect(url, autocommit=True) as watch:
                conn.execute(SELECT_ONE.format(sql.Identifier(last)))  # holds the late table
                holding.set()
                deadline = time.monotonic() + 20
                while (not watch.execute(WAITING_ON_A_LOCK).fetchone()[0]
                       and time.monotonic() < deadline):
                    time.sleep(0.02)  # until TRUNCATE holds the early tables and waits
                conn.execute(SELECT_ONE.format(sql.Identifier(first)))  # asks for an early one
                conn.commit()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with app.app_context():
        db.session.add(MailingList(slug="extra", name="Extra", domain="example.org"))
        db.session.commit()
        db.session.remove()
        thread = threading.Thread(target=worker)
        thread.start()
        assert holding.wait(20)  # the worker has its first lock before TRUNCATE starts
        empty_all_tables(db)
        thread.join(30)
        assert not thread.is_alive() and errors == []
        slugs = db.session.scalars(sa.select(MailingList.slug)).all()
    assert len(slugs) == 1 and "extra" not in slugs  # emptied, then the default list again
