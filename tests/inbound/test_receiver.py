"""The receiver over a real socket: who it accepts, what it refuses, what it never answers."""

import smtplib

import pytest

from tests.inbound.helpers import (
    JOIN,
    LIST_ADDRESS,
    REQUEST,
    inbound_rows,
    lmtp_send,
    mail,
    send,
)


@pytest.mark.parametrize(
    "recipient",
    [
        "nobody@lists.example.org",
        "announcements-join@elsewhere.example",
        "announcements-owner@lists.example.org",
        "announcements-confirm+not-a-code@lists.example.org",
        "announcements-confirm@lists.example.org",
        "bounces@lists.example.org",
        "bounces+12@lists.example.org",  # not an address we made (tests/inbound/test_bounce_path)
        "announcements-join+x@lists.example.org",
        "postmaster@lists.example.org",
        "not an address",
    ],
)
def test_unknown_recipients_are_refused_at_rcpt(inbound_receiver, app, recipient):
    with smtplib.LMTP("127.0.0.1", inbound_receiver.port) as client:
        client.ehlo()
        client.mail("someone@example.net")
        code, _ = client.rcpt(recipient)
    assert code in (501, 550)  # 501: aiosmtpd's answer to a malformed address
    assert inbound_rows(app) == []


@pytest.mark.parametrize(
    "recipient",
    [
        "announcements-join@lists.example.org",
        "Announcements-Leave@Lists.Example.org",
        "announcements-request@lists.example.org",
        "announcements@lists.example.org",
        "announcements+post-12@lists.example.org",
        "announcements-confirm+j1.mz3k9q.0123456789abcdef@lists.example.org",
    ],
)
def test_our_addresses_are_accepted_at_rcpt(inbound_receiver, recipient):
    with smtplib.LMTP("127.0.0.1", inbound_receiver.port) as client:
        client.ehlo()
        client.mail("someone@example.net")
        assert client.rcpt(recipient)[0] == 250


def test_lmtp_answers_once_per_recipient(inbound_receiver, app, deliver, smtp_sink):
    data = mail("erin@example.net", JOIN, "subscribe")
    replies = lmtp_send(inbound_receiver.port, "erin@example.net",
                        [JOIN, "nobody@lists.example.org", REQUEST], data)
    assert replies[JOIN][0] == 250
    assert replies["nobody@lists.example.org"][0] == 550
    assert replies[REQUEST][0] == 250
    assert [row.kind for row in inbound_rows(app)] == ["join", "join"]
    deliver()
    assert len(smtp_sink.to("erin@example.net")) == 1  # one request, one confirmation


@pytest.mark.parametrize(
    "headers,envelope_from",
    [
        ({"Auto_Submitted": "auto-replied"}, "erin@example.net"),
        ({"Auto_Submitted": "auto-generated"}, "erin@example.net"),
        ({"List_Id": "Other list <other.example.com>"}, "erin@example.net"),
        ({"Precedence": "bulk"}, "erin@example.net"),
        ({"X_Auto_Response_Suppress": "All"}, "erin@example.net"),
        ({}, ""),  # null envelope sender: a bounce or an auto-reply
        ({}, "other-bounces+erin=example.net@lists.other.example"),
    ],
)
@pytest.mark.parametrize("recipient,subject", [(JOIN, "join"), (REQUEST, "help"),
                                               (REQUEST, "subscribe")])
def test_automatic_mail_gets_no_answer(inbound_receiver, app, deliver, smtp_sink, headers,
                                       envelope_from, recipient, subject):
    data = mail("erin@example.net", recipient, subject, **headers)
    assert send(inbound_receiver.port, envelope_from, recipient, data) == 250
    deliver()
    assert smtp_sink.messages == []
    [row] = inbound_rows(app)
    assert row.status == "handled"
    assert "not answered" in row.reason


def test_an_auto_reply_to_a_confirmation_confirms_nothing(inbound_receiver, app, deliver,
                                                          smtp_sink):
    from tests.subscriptions.helpers import subscription_of

    send(inbound_receiver.port, "fay@example.net", JOIN, mail("fay@example.net", JOIN))
    deliver()
    reply_to = smtp_sink.to("fay@example.net")[0].message["Reply-To"].addresses[0].addr_spec
    out_of_office = mail("fay@example.net", reply_to, "Out of office", "Back on Monday",
                         Auto_Submitted="auto-replied")
    send(inbound_receiver.port, "fay@example.net", reply_to, out_of_office)
    assert subscription_of(app, "fay@example.net").status == "pending"


def test_help_is_answered_and_limited(inbound_receiver, app, deliver, smtp_sink):
    for _ in range(5):
        data = mail("gus@example.net", REQUEST, "help")
        assert send(inbound_receiver.port, "gus@example.net", REQUEST, data) == 250
    deliver()
    answers = smtp_sink.to("gus@example.net")
    assert len(answers) == app.config["INBOUND_HELP_PER_DAY"]
    message = answers[0].message
    assert message["Auto-Submitted"] == "auto-replied"
    assert "announcements-join@lists.example.org" in answers[0].text
    assert "announcements-leave@lists.example.org" in answers[0].text


def test_a_message_without_a_command_gets_help(inbound_receiver, deliver, smtp_sink):
    data = mail("hal@example.net", REQUEST, "Question", "How do I change my address?")
    send(inbound_receiver.port, "hal@example.net", REQUEST, data)
    deliver()
    [answer] = smtp_sink.to("hal@example.net")
    assert answer.message["Subject"].startswith("Help")


def test_a_join_from_an_unusable_address_is_held(inbound_receiver, app, deliver, smtp_sink):
    data = mail("Ivy <ivy@localhost-only>", JOIN, "join")
    assert send(inbound_receiver.port, "ivy@localhost-only", JOIN, data) == 250
    deliver()
    assert smtp_sink.messages == []
    [row] = inbound_rows(app)
    assert row.status == "held"
    assert row.reason.startswith("join refused:")
    assert row.raw == data  # kept whole for a committee member


def test_a_message_without_a_from_is_never_answered(inbound_receiver, app, deliver, smtp_sink):
    data = b"Subject: join\r\nMessage-ID: <1@example.net>\r\n\r\njoin\r\n"
    assert send(inbound_receiver.port, "x@example.net", JOIN, data) == 250
    deliver()
    assert smtp_sink.messages == []
    assert inbound_rows(app)[0].reason == "join not answered: no readable From address"


# Small limits for this module, so the size tests stay quick.
@pytest.fixture
def app_config(app_config):
    app_config["INBOUND_MAX_BYTES"] = 20_000
    app_config["INBOUND_KEEP_BYTES"] = 1_000
    return app_config


def test_oversized_mail_is_refused(inbound_receiver, app):
    data = mail("jo@example.net", LIST_ADDRESS, "big", ("y" * 70 + "\n") * 400)
    code, _ = lmtp_send(inbound_receiver.port, "jo@example.net", LIST_ADDRESS, data)[LIST_ADDRESS]
    assert code == 552
    assert inbound_rows(app) == []


def test_kept_copies_are_cut_at_the_configured_size(inbound_receiver, app):
    data = mail("jo@example.net", LIST_ADDRESS, "long reply", ("z" * 70 + "\n") * 100)
    assert send(inbound_receiver.port, "jo@example.net", LIST_ADDRESS, data) == 250
    [row] = inbound_rows(app)
    assert row.status == "unrouted"
    assert len(row.raw) == 1_000 and row.raw_truncated
    assert row.size == len(data)


@pytest.mark.parametrize("inbound_receiver", ["smtp"], indirect=True)
def test_smtp_mode(inbound_receiver, app, deliver, smtp_sink):
    """`--smtp`: the same receiver speaking SMTP (EHLO, one reply after DATA)."""
    with smtplib.SMTP("127.0.0.1", inbound_receiver.port) as client:
        refused = client.sendmail("kay@example.net", [JOIN, "nobody@lists.example.org"],
                                  mail("kay@example.net", JOIN, "join"))
    assert refused["nobody@lists.example.org"][0] == 550
    deliver()
    assert len(smtp_sink.to("kay@example.net")) == 1
