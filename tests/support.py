"""Test helpers: a real SMTP sink, database set-up, and small factories."""

import os
import re
import socket
import threading
import uuid
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import sqlalchemy as sa
from aiosmtpd.controller import Controller

DEFAULT_SQLITE = "sqlite:///{path}"


@dataclass
class CapturedMail:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str | None:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part else None

    def links(self) -> list[str]:
        return re.findall(r"https?://[^\s<>\"']+", self.text)

    def link_to(self, path_fragment: str) -> str:
        for link in self.links():
            if path_fragment in link:
                return link
        raise AssertionError(f"no link containing {path_fragment!r} in:\n{self.text}")


class Pipelining:
    """Offers PIPELINING (RFC 2920) like Postfix and most MTAs, so the tests take the road
    real deliveries take. aiosmtpd reads commands one line at a time, so it copes with
    pipelined ones; it only does not say so."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]


class SinkHandler(Pipelining):
    """Accepts everything and keeps it; tests read what arrived."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[CapturedMail] = []

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(
                CapturedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 2.0.0 OK: queued"


class SmtpSink:
    def __init__(self, handler=None):
        self.handler = handler or SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    @property
    def messages(self) -> list[CapturedMail]:
        with self.handler.lock:
            return list(self.handler.messages)

    def clear(self):
        with self.handler.lock:
            self.handler.messages.clear()

    def to(self, address: str) -> list[CapturedMail]:
        return [m for m in self.messages if address in m.rcpt_tos]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_test_database(tmp_dir) -> tuple[str, callable]:
    """A database of our own for this test session, and how to drop it afterwards.

    On PostgreSQL (LISTSERVE_TEST_DATABASE_URL) a fresh database is created next to the one
    named, so runs in parallel never share tables.
    """
    url = os.environ.get("LISTSERVE_TEST_DATABASE_URL")
    if not url:
        return DEFAULT_SQLITE.format(path=os.path.join(tmp_dir, "test.db")), lambda: None
    return private_database(url, "listserve_test")


def private_database(server_url: str, prefix: str) -> tuple[str, callable]:
    """Create a fresh PostgreSQL database on the server `server_url` names; return its URL
    and how to drop it. Tests and benchmarks use it so parallel runs never share tables."""
    server = sa.make_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop():
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def empty_all_tables(db) -> None:
    from listserve.core.lists import ensure_default_list

    db.session.remove()
    tables = db.metadata.sorted_tables
    for attempt in range(DEADLOCK_RETRIES):
        try:
            with db.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    names = ", ".join(f'"{t.name}"' for t in tables)
                    conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
                else:
                    for table in reversed(tables):
                        conn.execute(table.delete())
                ensure_default_list(conn)  # as the migrations leave a new database
            return
        except sa.exc.OperationalError as exc:
            # The browser journeys' live server runs a delivery worker on the same database:
            # TRUNCATE takes its tables' locks one by one, and a worker transaction holding
            # one of them while it waits for another is a deadlock PostgreSQL ends by
            # cancelling one side. When it cancels ours, the worker's transaction goes on and
            # ends, and the same TRUNCATE then goes through.
            if getattr(exc.orig, "sqlstate", None) != DEADLOCK or attempt + 1 == DEADLOCK_RETRIES:
                raise


DEADLOCK = "40P01"  # PostgreSQL's deadlock_detected
DEADLOCK_RETRIES = 5


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)
