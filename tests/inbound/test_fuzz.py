"""Hypothesis feeds random and mutated messages to the receiver: every one must be answered
250 and recorded, and none may make handling raise (a FAILED row means it did)."""

import random
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listserve.delivery.models import OutboxEntry
from listserve.delivery.verp import bounce_address
from listserve.extensions import db
from listserve.inbound.models import InboundMessage, InboundStatus
from listserve.inbound.receive import OK, receive_message
from tests.delivery.helpers import add_confirmed, announce
from tests.inbound.helpers import JOIN, LEAVE, LIST_ADDRESS, REQUEST, lmtp_send, mail

SENT_COPY = "the bounce address of a sent copy"
FIXTURES = sorted((Path(__file__).parent / "bounces").glob("*.eml"))
SEEDS = [path.read_bytes() for path in FIXTURES] + [
    mail("Zoë <zoe@example.net>", JOIN, "subscribe"),
    mail("zoe@example.net", REQUEST, "Re: unsubscribe", "unsubscribe\n> quoted"),
    mail("zoe@example.net", LIST_ADDRESS, "Re: news", "Thanks", In_Reply_To="<a@b>"),
    b"From: =?utf-8?q?=0D=0ABcc:_x@y?= <zoe@example.net>\r\nSubject: =?x-unknown?b?!!?=\r\n"
    b"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n",
]
RECIPIENTS = [
    JOIN,
    LEAVE,
    REQUEST,
    LIST_ADDRESS,
    "announcements+post-1@lists.example.org",
    "announcements-confirm+j1.mz3k9q.0123456789abcdef@lists.example.org",
    "announcements-confirm+l7fffffff.zzzzzzz.ffffffffffffffff@lists.example.org",
    "announcements-confirm+jffffffff.1.ffffffffffffffff@lists.example.org",  # past INTEGER
    "bounces+1@lists.example.org",
    "bounces+7777777777777777777777777777777777777777@lists.example.org",
    SENT_COPY,  # the VERP address of a copy we sent: see the sent_copy_address fixture
]
ACCEPTED = [r for r in RECIPIENTS if not r.startswith("bounces+")]  # the others fail RCPT
SENDERS = st.one_of(
    st.sampled_from(["", "zoe@example.net", "MAILER-DAEMON@example.net", "a@b@c", "<>"]),
    st.text(max_size=80),
)


@st.composite
def mutated(draw) -> bytes:
    """A seed message cut, spliced, with bytes flipped or lines repeated."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        operation = draw(st.sampled_from(["cut", "insert", "flip", "repeat", "truncate"]))
        if operation == "cut":
            del data[at: at + draw(st.integers(1, 200))]
        elif operation == "insert":
            data[at:at] = draw(st.binary(max_size=64) | st.text(max_size=40).map(str.encode))
        elif operation == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif operation == "repeat":
            line_end = data.find(b"\n", at)
            data[at:at] = data[at: line_end + 1 if line_end >= 0 else len(data)] * 3
        else:
            del data[at:]
    return bytes(data)


MESSAGES = st.one_of(mutated(), st.binary(max_size=2000))


@pytest.fixture
def sent_copy_address(app):
    add_confirmed(app, ["zoe@example.net"])
    announce(app)
    with app.app_context():
        entry_id = db.session.scalar(sa.select(OutboxEntry.id))
        return bounce_address("lists.example.org", entry_id)


def assert_no_failure(app, replies):
    """Answered 250, and the row this message left is not FAILED (handling did not raise)."""
    assert replies == [OK]
    with app.app_context():
        latest = db.session.scalar(
            sa.select(InboundMessage).order_by(InboundMessage.id.desc()).limit(1)
        )
        assert latest.status != InboundStatus.FAILED, latest.reason


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=MESSAGES, sender=SENDERS, recipient=st.sampled_from(RECIPIENTS))
def test_random_and_mutated_messages_never_crash_the_handling(app, sent_copy_address, raw,
                                                              sender, recipient):
    recipient = sent_copy_address if recipient == SENT_COPY else recipient
    # Hypothesis seeds the random module alike for every example, and email.utils.make_msgid
    # (Message-IDs of queued notices) draws from it: reseed, or two examples in the same
    # 10 ms make the same Message-ID.
    random.seed()
    with app.app_context():
        replies = receive_message(raw, sender, [recipient], "192.0.2.1")
    assert_no_failure(app, replies)


def as_smtp_lines(raw: bytes) -> bytes:
    """What an MTA would hand on: CRLF line endings, no line longer than SMTP allows."""
    lines = re.split(rb"\r\n|\r|\n", raw)
    chopped = [line[i: i + 900] for line in lines for i in range(0, max(len(line), 1), 900)]
    return b"\r\n".join(chopped)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=MESSAGES, recipient=st.sampled_from(ACCEPTED))
def test_the_receiver_answers_every_mutated_message_over_lmtp(inbound_receiver, app,
                                                             sent_copy_address, raw, recipient):
    """Every address we answer for, fed mutated mail: always 250 (others are refused at RCPT)."""
    recipient = sent_copy_address if recipient == SENT_COPY else recipient
    random.seed()  # as above
    replies = lmtp_send(inbound_receiver.port, "zoe@example.net", recipient, as_smtp_lines(raw))
    assert replies[recipient][0] == 250, replies
    assert_no_failure(app, [OK])
