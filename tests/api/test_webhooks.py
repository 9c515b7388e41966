"""Webhooks against a real HTTP receiver on 127.0.0.1: queued in the request, sent by the
worker, signed per Standard Webhooks, retried after a 500, given up after the set attempts,
sent again by hand; private targets refused unless the setting allows them."""

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from listserve.api.models import Webhook, WebhookDelivery
from listserve.core.db import utcnow
from listserve.extensions import db
from tests.api.helpers import bearer, hook_secret, make_token, verify
from tests.api.helpers import register_webhook as register
from tests.committee.helpers import post


def subscribe_attested(app, client, email="dana@example.org"):
    with app.app_context():
        from listserve.committee.services import member_by_email
        member_id = member_by_email("ana@example.org").id
    secret = make_token(app, member_id, ["admin"], name=f"crm {email}")
    return client.post("/api/v1/subscribers", headers=bearer(secret), json={
        "email": email, "consent_source": "our CRM", "consent_attested": True})


def deliveries(app) -> list[tuple[str, int]]:
    with app.app_context():
        return [(d.status, d.attempts) for d in
                db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id))]


def test_an_event_is_signed_and_sent_by_the_worker_not_the_request(
        app, client, deliver, receiver, allow_local):
    target = receiver()
    assert register(app, client, target.url).status_code == 303
    assert subscribe_attested(app, client).status_code == 202
    assert target.requests == []  # nothing inside the request: a row waits for the worker
    assert deliveries(app) == [("pending", 0)]
    deliver()
    [sent] = target.requests
    headers = sent["headers"]
    assert headers["webhook-id"].startswith("msg_")
    assert verify(hook_secret(app), headers, sent["body"])
    assert not verify(hook_secret(app), headers, sent["body"] + b" ")
    event = json.loads(sent["body"])
    assert event["type"] == "subscription.confirmed"
    assert event["data"]["email"] == "dana@example.org"
    assert deliveries(app) == [("sent", 1)]
    assert target.url in client.get("/committee/api/webhooks").get_data(as_text=True)
    page = client.get("/committee/api/webhooks/1").get_data(as_text=True)
    assert "subscription.confirmed" in page and "sent" in page


def test_a_500_is_retried_with_the_same_message(app, client, deliver, receiver, allow_local):
    app.config["WEBHOOK_RETRY_BASE_SECONDS"] = 600
    target = receiver(statuses=(500, 200))
    register(app, client, target.url)
    subscribe_attested(app, client)
    deliver()
    assert deliveries(app) == [("pending", 1)]
    with app.app_context():
        retry_at = db.session.scalar(sa.select(WebhookDelivery.next_attempt_at))
        assert retry_at - utcnow() > timedelta(seconds=590)  # backoff
        db.session.execute(sa.update(WebhookDelivery).values(next_attempt_at=utcnow()))
        db.session.commit()
    deliver()
    assert deliveries(app) == [("sent", 2)]
    first, second = (r["headers"]["webhook-id"] for r in target.requests)
    assert first == second


def test_it_gives_up_after_the_set_attempts_and_can_be_sent_again(
        app, client, deliver, receiver, allow_local):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 3
    target = receiver(statuses=(500,))
    register(app, client, target.url)
    subscribe_attested(app, client)
    for _ in range(5):
        deliver()
    assert len(target.requests) == 3
    assert deliveries(app) == [("failed", 3)]
    page = client.get("/committee/api/webhooks/1").get_data(as_text=True)
    assert "failed" in page and "500" in page
    target.statuses = [200]
    redo = re.search(r'action="(/committee/api/webhooks/1/deliveries/\d+/redeliver)"', page)[1]
    post(client, redo, page="/committee/api/webhooks/1")
    deliver()
    assert len(target.requests) == 4
    assert deliveries(app) == [("failed", 3), ("sent", 1)]


def test_only_the_events_asked_for_are_sent(app, client, deliver, receiver, allow_local):
    target = receiver()
    register(app, client, target.url, events=("subscription.left",))
    subscribe_attested(app, client)
    deliver()
    assert target.requests == [] and deliveries(app) == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x", "http://localhost/x",
                                 "http://10.1.2.3/x", "http://169.254.169.254/latest",
                                 "http://[::1]/x", "ftp://example.org/x"])
def test_private_and_odd_targets_are_refused(app, client, url):
    refused = register(app, client, url)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "private or local address" in html or "must start with https://" in html
    assert url.split("//")[1].split("/")[0].strip("[]") in html  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Webhook.id))) == 0


def test_a_target_that_turned_private_is_not_sent_to(app, client, deliver, receiver,
                                                     allow_local):
    target = receiver()
    register(app, client, target.url)
    app.config["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = False
    subscribe_attested(app, client)
    deliver()
    assert target.requests == []
    with app.app_context():
        delivery = db.session.scalar(sa.select(WebhookDelivery))
        assert "private or local address" in delivery.last_error
