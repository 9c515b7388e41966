"""Subscribing never tells anyone whether an address is already on the list."""

from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa

from listserve.extensions import db
from listserve.subscriptions.models import Subscription
from tests.subscriptions.helpers import press_button, subscribe, subscriber_count, subscription_of


def _answer(client, email):
    response = subscribe(client, email)
    follow = client.get(response.headers["Location"])
    return response.status_code, response.headers["Location"], follow.status_code, follow.data


def _make_states(client, app, deliver, smtp_sink):
    subscribe(client, "pending@example.net")
    subscribe(client, "confirmed@example.net")
    subscribe(client, "left@example.net")
    deliver()
    for email in ("confirmed@example.net", "left@example.net"):
        press_button(client, urlsplit(smtp_sink.to(email)[0].link_to("/confirm/")).path)
    deliver()
    welcome = smtp_sink.to("left@example.net")[-1]
    press_button(client, urlsplit(welcome.link_to("/u/")).path)
    assert subscription_of(app, "pending@example.net").status == "pending"
    assert subscription_of(app, "confirmed@example.net").status == "confirmed"
    assert subscription_of(app, "left@example.net").status == "unsubscribed"


def test_identical_answers_for_every_state(client, app, deliver, smtp_sink):
    _make_states(client, app, deliver, smtp_sink)
    answers = {
        email: _answer(client, email)
        for email in (
            "new@example.net",
            "pending@example.net",
            "confirmed@example.net",
            "left@example.net",
        )
    }
    assert len(set(answers.values())) == 1, answers


def test_what_each_state_gets_by_mail(client, app, deliver, smtp_sink):
    _make_states(client, app, deliver, smtp_sink)
    smtp_sink.clear()
    for email in ("pending@example.net", "confirmed@example.net", "left@example.net"):
        subscribe(client, email)
    deliver()
    # Pending: asked within 15 minutes, so no second confirmation yet.
    assert smtp_sink.to("pending@example.net") == []
    # Confirmed: a note saying they are already subscribed, with a way out.
    [note] = smtp_sink.to("confirmed@example.net")
    assert "already" in note.message["Subject"]
    assert "/u/" in note.text
    # Left: must confirm again; nothing changes until they do.
    [again] = smtp_sink.to("left@example.net")
    assert "/confirm/" in again.text
    assert subscription_of(app, "left@example.net").status == "pending"


def test_resend_at_most_every_fifteen_minutes(client, app, deliver, smtp_sink):
    subscribe(client, "grace@example.net")
    subscribe(client, "grace@example.net")
    deliver()
    assert len(smtp_sink.to("grace@example.net")) == 1
    _age(app, "grace@example.net", "confirmation_sent_at", timedelta(minutes=16))
    subscribe(client, "grace@example.net")
    subscribe(client, "grace@example.net")
    deliver()
    assert len(smtp_sink.to("grace@example.net")) == 2
    # Both links work until one is used: the resend repeats the same request.
    first, second = smtp_sink.to("grace@example.net")
    assert first.link_to("/confirm/") and second.link_to("/confirm/")


def test_already_subscribed_note_at_most_daily(client, app, deliver, smtp_sink):
    subscribe(client, "heidi@example.net")
    deliver()
    press_button(client, urlsplit(smtp_sink.to("heidi@example.net")[0].link_to("/confirm/")).path)
    deliver()
    smtp_sink.clear()
    for _ in range(3):
        subscribe(client, "heidi@example.net")
    deliver()
    assert len(smtp_sink.to("heidi@example.net")) == 1
    _age(app, "heidi@example.net", "notice_sent_at", timedelta(days=1, minutes=1))
    subscribe(client, "heidi@example.net")
    deliver()
    assert len(smtp_sink.to("heidi@example.net")) == 2


def test_honeypot_answers_the_same_and_stores_nothing(client, app, deliver, smtp_sink):
    human = subscribe(client, "ivan@example.net")
    bot = subscribe(client, "mallory@example.net", website="http://spam.example.com")
    assert bot.status_code == human.status_code == 303
    assert bot.headers["Location"] == human.headers["Location"]
    assert subscription_of(app, "mallory@example.net") is None
    assert subscriber_count(app) == 1
    deliver()
    assert smtp_sink.to("mallory@example.net") == []


def test_per_ip_limit(client, app, app_config):
    app.config["SUBSCRIBE_RATE_LIMIT"] = "3 per minute"
    for n in range(3):
        assert subscribe(client, f"user{n}@example.net").status_code == 303
    refused = subscribe(client, "judy@example.net", "Judy")
    assert refused.status_code == 429
    assert b"slow down" in refused.data
    # What the person typed is still there to send again.
    assert b'value="judy@example.net"' in refused.data
    assert subscription_of(app, "judy@example.net") is None
    # Another address (another person) is not affected.
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert subscribe(client, "judy@example.net").status_code == 303


def _age(app, email, column, by):
    with app.app_context():
        subscription = db.session.get(Subscription, subscription_of(app, email).id)
        setattr(subscription, column, getattr(subscription, column) - by)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Subscription.id))) >= 1
