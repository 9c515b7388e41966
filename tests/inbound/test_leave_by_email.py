"""Leaving by email: nothing changes until the subscriber confirms from their own mailbox,
so a forged From removes nobody, and nothing tells the sender who is on the list."""

from urllib.parse import urlsplit

import pytest

from tests.inbound.helpers import LEAVE, REQUEST, inbound_rows, mail, send
from tests.subscriptions.helpers import press_button, subscribe, subscription_of


@pytest.fixture
def kim(client, deliver, smtp_sink):
    """kim@example.net, subscribed and confirmed on the web."""
    subscribe(client, "kim@example.net", "Kim")
    deliver()
    press_button(client, urlsplit(smtp_sink.to("kim@example.net")[0].link_to("/confirm/")).path)
    deliver()
    smtp_sink.clear()
    return "kim@example.net"


def test_forged_leave_changes_nothing_until_confirmed(inbound_receiver, app, client, kim,
                                                       deliver, smtp_sink):
    forged = mail("Kim <kim@example.net>", LEAVE, "unsubscribe")
    assert send(inbound_receiver.port, "mallory@attacker.example", LEAVE, forged) == 250
    assert subscription_of(app, kim).status == "confirmed"

    deliver()
    assert smtp_sink.to("mallory@attacker.example") == []
    [confirmation] = smtp_sink.to(kim)  # the confirmation goes to the subscriber only
    assert confirmation.message["Auto-Submitted"] == "auto-replied"
    assert "leave" in confirmation.message["Subject"].lower()
    assert subscription_of(app, kim).status == "confirmed"

    leave_path = urlsplit(confirmation.link_to("/leave/")).path
    page = client.get(leave_path)  # mail scanners open links: a GET changes nothing
    assert page.status_code == 200
    assert b"Leave</button>" in page.data
    assert subscription_of(app, kim).status == "confirmed"

    left = press_button(client, leave_path)
    assert b"You have left the list" in left.data
    assert subscription_of(app, kim).status == "unsubscribed"
    assert client.get(leave_path).status_code == 404  # single use


def test_leave_confirmed_by_reply(inbound_receiver, app, kim, deliver, smtp_sink):
    send(inbound_receiver.port, kim, REQUEST, mail(kim, REQUEST, "unsubscribe"))
    deliver()
    [confirmation] = smtp_sink.to(kim)
    reply_to = confirmation.message["Reply-To"].addresses[0].addr_spec
    assert len(reply_to.split("@")[0]) <= 64
    assert subscription_of(app, kim).status == "confirmed"
    send(inbound_receiver.port, kim, reply_to, mail(kim, reply_to, "Re: leave", "yes"))
    assert subscription_of(app, kim).status == "unsubscribed"
    assert inbound_rows(app)[-1].reason == "leave confirmed by reply"


def test_an_old_leave_code_does_not_remove_someone_who_rejoined(
    inbound_receiver, app, client, kim, deliver, smtp_sink
):
    send(inbound_receiver.port, kim, LEAVE, mail(kim, LEAVE))
    deliver()
    old_reply_to = smtp_sink.to(kim)[0].message["Reply-To"].addresses[0].addr_spec
    leave_path = urlsplit(smtp_sink.to(kim)[0].link_to("/leave/")).path
    press_button(client, leave_path)
    assert subscription_of(app, kim).status == "unsubscribed"

    subscribe(client, kim)
    deliver()
    press_button(client, urlsplit(smtp_sink.to(kim)[-1].link_to("/confirm/")).path)
    assert subscription_of(app, kim).status == "confirmed"
    send(inbound_receiver.port, kim, old_reply_to, mail(kim, old_reply_to))
    assert subscription_of(app, kim).status == "confirmed"


def test_leave_answers_the_same_whether_or_not_subscribed(inbound_receiver, app, kim, deliver,
                                                          smtp_sink):
    stranger = mail("nobody@example.net", LEAVE, "unsubscribe")
    member = mail(kim, LEAVE, "unsubscribe")
    assert send(inbound_receiver.port, "nobody@example.net", LEAVE, stranger) == 250
    assert send(inbound_receiver.port, kim, LEAVE, member) == 250
    deliver()
    assert smtp_sink.to("nobody@example.net") == []
    assert len(smtp_sink.to(kim)) == 1


def test_repeated_leave_requests_send_one_confirmation(inbound_receiver, kim, deliver, smtp_sink):
    for _ in range(4):
        send(inbound_receiver.port, "mallory@attacker.example", LEAVE, mail(kim, LEAVE))
    deliver()
    assert len(smtp_sink.to(kim)) == 1
