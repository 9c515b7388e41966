"""The archive's and the inbound mail's events reach a real HTTP receiver: a comment published
or held, a message held for a person. Each is queued where it happens (nothing is sent inside
the request or the LMTP session), sent by the worker, signed, with its payload."""

import json

import sqlalchemy as sa

from listserve.archive import moderation
from listserve.archive.models import Comment
from listserve.core.lists import CommentPolicy, get_default_list
from listserve.extensions import db
from listserve.inbound.models import InboundMessage
from tests.api.helpers import hook_secret, register_webhook, verify
from tests.archive.helpers import become_verified_reader, make_post, page_url
from tests.inbound.helpers import JOIN, mail, send

EVENTS = ("comment.posted", "comment.held", "post.held")


def received(app, target) -> list[dict]:
    """Every event the receiver got, after checking each one's signature."""
    secret = hook_secret(app)
    events = []
    for request in target.requests:
        assert verify(secret, request["headers"], request["body"])
        events.append(json.loads(request["body"]))
    return events


def a_post(app) -> str:
    with app.app_context():
        return page_url(make_post())


def test_a_published_comment_is_announced(app, client, deliver, smtp_sink, receiver,
                                          allow_local):
    target = receiver()
    url = a_post(app)
    register_webhook(app, client, target.url, events=EVENTS)
    become_verified_reader(client, smtp_sink, deliver, url, name="Ana")
    assert target.requests == []  # queued when the link was pressed; the worker sends it
    deliver()
    [event] = received(app, target)
    assert event["type"] == "comment.posted"
    assert event["data"]["status"] == "published" and event["data"]["author_name"] == "Ana"
    assert "ana@example.org" not in json.dumps(event)  # the commenter's address stays here


def test_a_held_comment_is_announced_and_its_approval_too(app, client, deliver, smtp_sink,
                                                          receiver, allow_local):
    target = receiver()
    url = a_post(app)
    with app.app_context():
        get_default_list().comment_policy = CommentPolicy.ALL_HELD
        db.session.commit()
    register_webhook(app, client, target.url, events=EVENTS)
    become_verified_reader(client, smtp_sink, deliver, url, name="Bea",
                           email="bea@example.org")
    deliver()
    [held] = received(app, target)
    assert held["type"] == "comment.held"
    assert held["data"]["status"] == "held" and held["data"]["author_name"] == "Bea"
    with app.app_context():
        moderation.approve_comment(db.session.get(Comment, held["data"]["comment_id"]))
        db.session.commit()
    deliver()
    posted = received(app, target)[-1]
    assert posted["type"] == "comment.posted"
    assert posted["data"]["comment_id"] == held["data"]["comment_id"]


def test_a_message_held_for_a_person_is_announced(app, client, deliver, receiver,
                                                  allow_local, inbound_receiver):
    target = receiver()
    register_webhook(app, client, target.url, events=EVENTS)
    data = mail("Ivy <ivy@localhost-only>", JOIN, "join")
    assert send(inbound_receiver.port, "ivy@localhost-only", JOIN, data) == 250
    assert target.requests == []
    deliver()
    [event] = received(app, target)
    assert event["type"] == "post.held"
    assert event["data"]["recipient"] == JOIN and event["data"]["subject"] == "join"
    assert event["data"]["reason"].startswith("join refused:")
    with app.app_context():
        assert db.session.scalar(sa.select(InboundMessage.id)) == event["data"]["inbound_id"]
