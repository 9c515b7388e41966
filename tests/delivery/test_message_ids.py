"""Announcement copies are queued without a Message-ID; the worker makes each from the copy's
id and stores it with the result. Every copy still goes out with its own Message-ID, a retry
repeats it, and it never repeats for another copy: mail systems drop a message whose
Message-ID they have seen before, so a repeated one would never reach its reader."""

import threading
from collections import defaultdict

import pytest
import sqlalchemy as sa

from listserve.delivery.models import Mailing, OutboxEntry
from listserve.extensions import db
from listserve.subscriptions.models import Subscriber
from listserve.subscriptions.privacy import erase_subscriber
from tests.delivery.helpers import add_confirmed, announce
from tests.support import CapturedMail, Pipelining, SmtpSink


class RefusesFirstData(Pipelining):
    """Answers 452 to the first DATA for each recipient in `refuse`, and keeps every
    message it was shown, accepted or not."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[CapturedMail] = []  # accepted
        self.shown: dict[str, list[str]] = defaultdict(list)  # recipient -> Message-IDs
        self.refuse: set[str] = set()

    async def handle_DATA(self, faulty_smtp, session, envelope):
        [address] = envelope.rcpt_tos
        mail = CapturedMail(envelope.mail_from, [address], envelope.original_content)
        with self.lock:
            self.shown[address].append(mail.message["Message-ID"])
            if address in self.refuse and len(self.shown[address]) == 1:
                return "452 4.3.1 insufficient system storage"
            self.messages.append(mail)
        return "250 2.0.0 OK: queued"


@pytest.fixture
def faulty_smtp():  # the name conftest lets the worker connect to
    sink = SmtpSink(RefusesFirstData()).start()
    yield sink
    sink.stop()


@pytest.fixture
def app_config(app_config, faulty_smtp):
    return {**app_config, "MAIL_PORT": faulty_smtp.port, "WORKER_RETRY_BASE_SECONDS": 0}


def stored_message_ids(app) -> dict[int, str | None]:
    with app.app_context():
        return dict(db.session.execute(sa.select(OutboxEntry.id, OutboxEntry.message_id)).all())


def test_copies_are_queued_without_one_and_sent_with_their_own(app, deliver, faulty_smtp):
    people = [f"person{i}@example.net" for i in range(6)]
    add_confirmed(app, people)
    mailing_id = announce(app)
    assert set(stored_message_ids(app).values()) == {None}
    deliver()
    stored = stored_message_ids(app)
    sent = {m.rcpt_tos[0]: m.message["Message-ID"] for m in faulty_smtp.messages}
    assert sorted(sent) == people
    assert len(set(sent.values())) == len(people)
    assert set(stored.values()) == set(sent.values())
    for message_id in sent.values():
        assert message_id.endswith("@lists.example.org>")
        assert f".m{mailing_id}." in message_id


def test_a_retried_copy_goes_out_with_the_same_message_id(app, deliver, faulty_smtp):
    add_confirmed(app, ["ann@example.net", "ben@example.net"])
    faulty_smtp.handler.refuse = {"ben@example.net"}
    announce(app)
    deliver()
    first, second = faulty_smtp.handler.shown["ben@example.net"]
    assert first == second
    [ben] = faulty_smtp.to("ben@example.net")
    assert ben.message["Message-ID"] == first
    assert first in stored_message_ids(app).values()
    assert faulty_smtp.handler.shown["ann@example.net"] != [first]


def test_a_deleted_copy_s_id_is_never_handed_out_again(app, deliver, faulty_smtp):
    """Ben's copy, tried once (his server saw its Message-ID and its bounce address), is dropped
    when he is erased. SQLite would give the next row the newest row's id again; the outbox
    id is AUTOINCREMENT there (a sequence on PostgreSQL), so a late bounce or reply to Ben's
    copy can never land on Ann's."""
    app.config["WORKER_RETRY_BASE_SECONDS"] = 3600
    add_confirmed(app, ["ann@example.net", "ben@example.net"])
    faulty_smtp.handler.refuse = {"ben@example.net"}
    announce(app)
    deliver()
    with app.app_context():
        ben_copy = db.session.scalar(
            sa.select(OutboxEntry.id).where(OutboxEntry.recipient == "ben@example.net"))
        erase_subscriber(db.session.scalar(
            sa.select(Subscriber).where(Subscriber.email == "ben@example.net")))
        db.session.commit()
    second = announce(app, purpose="announcement:2")
    deliver()
    with app.app_context():
        ann_copy = db.session.scalar(sa.select(OutboxEntry.id).where(
            OutboxEntry.mailing_id == second, OutboxEntry.recipient == "ann@example.net"))
        assert ann_copy > ben_copy
    shown = faulty_smtp.handler.shown
    assert len(shown["ann@example.net"]) == 2 and len(shown["ben@example.net"]) == 1
    assert len({*shown["ann@example.net"], *shown["ben@example.net"]}) == 3


def test_a_send_deleted_by_hand_and_its_ids_handed_out_again(app, deliver, faulty_smtp):
    """An operator deleting an old send (its copies go with it) frees the newest mailing id
    on SQLite, and the next send reuses it; the copy ids are never reused, and the
    Message-IDs differ."""
    add_confirmed(app, ["ann@example.net"])
    first_mailing = announce(app)
    deliver()
    with app.app_context():
        [(first_copy, first_id)] = stored_message_ids(app).items()
        db.session.execute(sa.delete(Mailing).where(Mailing.id == first_mailing))
        db.session.commit()
    second_mailing = announce(app, purpose="announcement:2")
    deliver()
    [(second_copy, second_id)] = stored_message_ids(app).items()
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            assert second_mailing == first_mailing  # the case this test is about
    assert second_copy > first_copy
    assert [m.message["Message-ID"] for m in faulty_smtp.messages] == [first_id, second_id]
    assert second_id != first_id
