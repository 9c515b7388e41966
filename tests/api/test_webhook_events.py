"""Every event reaches a real HTTP receiver: a comment published or held, a message held for a
person, a subscription left or disabled by bounces, an announcement sent. Each is queued where
it happens (nothing is sent inside the request or the LMTP session), then sent by the worker,
signed, with its payload."""

import json

import sqlalchemy as sa

from listserve.archive import moderation
from listserve.archive.models import Comment
from listserve.committee.services import member_by_email
from listserve.core.lists import CommentPolicy, get_default_list
from listserve.extensions import db
from listserve.inbound.models import InboundMessage
from listserve.subscriptions.bounces import record_bounce
from listserve.subscriptions.models import Subscription
from tests.api.helpers import bearer, hook_secret, make_token, register_webhook, verify
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


def test_leaving_a_bounce_disable_and_a_sent_announcement_are_announced(
        app, client, deliver, receiver, allow_local):
    target = receiver()
    register_webhook(app, client, target.url, events=(
        "subscription.left", "subscription.bounce_disabled", "announcement.sent"))
    secret = admin_token_of_ana(app)
    for email in ("lea@example.org", "max@example.org"):
        made = client.post("/api/v1/subscribers", headers=bearer(secret), json={
            "email": email, "consent_source": "our CRM", "consent_attested": True})
        assert made.status_code == 202
    lea, max_ = (s["id"] for s in client.get("/api/v1/subscribers", headers=bearer(secret))
                 .get_json()["items"])
    assert client.post(f"/api/v1/subscribers/{lea}/unsubscribe",
                       headers=bearer(secret)).status_code == 200
    app.config["BOUNCE_SCORE_THRESHOLD"] = 1
    with app.app_context():
        record_bounce(db.session.get(Subscription, max_), permanent=True, source="test")
        db.session.commit()
    draft = client.post("/api/v1/announcements", headers=bearer(secret),
                        json={"subject": "Assembly", "body": "At noon."}).get_json()
    sent = client.post(f"/api/v1/announcements/{draft['id']}/send", headers=bearer(secret),
                       json={"reason": "urgent: the hall changed"})
    assert sent.status_code in (200, 202), sent.get_json()
    assert target.requests == []
    deliver()
    events = {event["type"]: event["data"] for event in received(app, target)}
    assert set(events) == {"subscription.left", "subscription.bounce_disabled",
                           "announcement.sent"}
    assert events["subscription.left"]["email"] == "lea@example.org"
    assert events["subscription.bounce_disabled"]["email"] == "max@example.org"
    assert events["announcement.sent"]["announcement_id"] == draft["id"]
    assert events["announcement.sent"]["subject"] == "Assembly"


def admin_token_of_ana(app) -> str:
    with app.app_context():
        member_id = member_by_email("ana@example.org").id
    return make_token(app, member_id, ["admin"], name="crm")
