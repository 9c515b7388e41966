"""Bounces through the receiver: a real-world report sent over LMTP to the VERP address of a
copy we really sent lands as a BounceEvent of the right kind for the right subscription.
(The scoring rules themselves are tested in tests/subscriptions/test_bounces.py.)"""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from listserve.extensions import db
from listserve.subscriptions.models import BounceEvent, Subscription
from tests.delivery.helpers import add_confirmed, announce
from tests.inbound.helpers import inbound_rows, lmtp_send, send
from tests.subscriptions.helpers import subscription_of

FIXTURES = Path(__file__).parent / "bounces"


def fixture_bytes(name: str) -> bytes:
    """A stored bounce with CRLF line endings, as an MTA hands it over."""
    return b"\r\n".join(re.split(rb"\r?\n", (FIXTURES / name).read_bytes()))


def sent_copy(app, deliver, smtp_sink, address: str):
    """Subscribe `address`, send it an announcement, and return the copy the sink received."""
    add_confirmed(app, [address])
    announce(app)
    deliver()
    [copy] = smtp_sink.to(address)
    assert copy.mail_from.startswith("bounces+") and copy.mail_from.endswith("@lists.example.org")
    return copy


def bounce_events(app) -> list[BounceEvent]:
    with app.app_context():
        events = db.session.scalars(sa.select(BounceEvent).order_by(BounceEvent.id)).all()
        for event in events:
            db.session.expunge(event)
        return events


@pytest.mark.parametrize(
    "fixture,address,kind,status",
    [
        ("postfix_user_unknown.eml", "alice@example.net", "permanent", "5.1.1"),
        ("postfix_delayed.eml", "bob@example.net", "temporary", "4.4.1"),
        ("exim_classic.eml", "dave@example.net", "permanent", "5.1.1"),
        ("gmail_dsn.eml", "grace@example.com", "permanent", "5.1.1"),
        ("exchange_ndr_text.eml", "judy@example.com", "permanent", "5.1.1"),
        ("qmail.eml", "mallory@example.com", "permanent", None),
    ],
)
def test_a_bounce_of_a_sent_copy_becomes_a_bounce_event(
    inbound_receiver, app, deliver, smtp_sink, fixture, address, kind, status
):
    copy = sent_copy(app, deliver, smtp_sink, address)
    assert send(inbound_receiver.port, "", copy.mail_from, fixture_bytes(fixture)) == 250

    [event] = bounce_events(app)
    subscription = subscription_of(app, address)
    assert event.subscription_id == subscription.id
    assert event.kind == kind
    assert event.status == status
    assert event.source == "dsn"
    with app.app_context():
        from listserve.delivery.models import OutboxEntry

        entry = db.session.get(OutboxEntry, event.outbox_entry_id)
        assert entry.recipient == address and entry.message_id == copy.message["Message-ID"]
    assert subscription.bounce_score == (1.0 if kind == "permanent" else 0.0)
    [row] = inbound_rows(app)
    assert (row.kind, row.status) == ("bounce", "handled")
    deliver()
    assert smtp_sink.messages == [copy]  # a bounce is never answered


def test_an_out_of_office_sent_to_the_bounce_address_is_not_a_bounce(
    inbound_receiver, app, deliver, smtp_sink
):
    copy = sent_copy(app, deliver, smtp_sink, "alice@example.net")
    send(inbound_receiver.port, "alice@example.net", copy.mail_from,
         fixture_bytes("out_of_office.eml"))
    assert bounce_events(app) == []
    assert subscription_of(app, "alice@example.net").bounce_score == 0.0
    assert inbound_rows(app)[0].status == "handled"


def test_an_unreadable_bounce_is_held_for_a_person(inbound_receiver, app, deliver, smtp_sink):
    copy = sent_copy(app, deliver, smtp_sink, "alice@example.net")
    odd = (b"From: MAILER-DAEMON@mx.example.net\r\nSubject: Undeliverable: news\r\n"
           b"Return-Path: <>\r\n\r\nSomething went wrong, we will not say what.\r\n")
    send(inbound_receiver.port, "", copy.mail_from, odd)
    assert bounce_events(app) == []
    [row] = inbound_rows(app)
    assert row.status == "held" and row.raw == odd


def test_forged_bounce_addresses_are_refused_at_rcpt(inbound_receiver, app, deliver, smtp_sink):
    copy = sent_copy(app, deliver, smtp_sink, "alice@example.net")
    local, domain = copy.mail_from.split("@")
    tampered = f"{local[:-1]}{'a' if local[-1] != 'a' else 'b'}@{domain}"
    replies = lmtp_send(inbound_receiver.port, "", [tampered, "bounces+12@lists.example.org"],
                        fixture_bytes("postfix_user_unknown.eml"))
    assert {code for code, _ in replies.values()} == {550}
    assert bounce_events(app) == []


def test_a_bounce_for_an_erased_subscriber_changes_nothing(inbound_receiver, app, deliver,
                                                           smtp_sink):
    from listserve.subscriptions.privacy import erase_subscriber

    copy = sent_copy(app, deliver, smtp_sink, "alice@example.net")
    with app.app_context():
        subscription = db.session.scalar(sa.select(Subscription))
        erase_subscriber(subscription.subscriber)
        db.session.commit()
    assert send(inbound_receiver.port, "", copy.mail_from,
                fixture_bytes("postfix_user_unknown.eml")) == 250
    assert bounce_events(app) == []
    [row] = inbound_rows(app)
    assert row.status == "handled" and row.raw is None  # nothing of theirs is kept


def test_bounce_history_for_a_committee_member(inbound_receiver, app, deliver, smtp_sink,
                                               runner):
    copy = sent_copy(app, deliver, smtp_sink, "alice@example.net")
    send(inbound_receiver.port, "", copy.mail_from, fixture_bytes("postfix_user_unknown.eml"))
    result = runner.invoke(args=["inbound", "bounces", "Alice@Example.net"])
    assert result.exit_code == 0, result.output
    assert "score 1" in result.output
    assert "permanent dsn 5.1.1" in result.output
    assert "Recipient address rejected" in result.output
    unknown = runner.invoke(args=["inbound", "bounces", "nobody@example.net"])
    assert unknown.exit_code != 0 and "not a subscriber" in unknown.output


@pytest.mark.parametrize("entry_id", [1, 12, 255, 256, 70_000, 2**24 + 5])
def test_every_changed_letter_of_a_bounce_address_is_refused(entry_id):
    """Base32's last letter can hold unused bits, so another letter there once decoded to the
    same signed id and a changed address was taken as ours (the test above failed now and
    then). Only the exact form we wrote is accepted."""
    from listserve.delivery.verp import opaque_id, read_opaque_id

    key = b"k" * 32
    opaque = opaque_id(entry_id, key)
    assert read_opaque_id(opaque, key) == entry_id
    assert read_opaque_id(opaque.upper(), key) == entry_id  # MTAs may change the case
    for position in range(len(opaque)):
        for letter in "abcdefghijklmnopqrstuvwxyz234567":
            changed = opaque[:position] + letter + opaque[position + 1:]
            if changed != opaque:
                assert read_opaque_id(changed, key) is None, changed
