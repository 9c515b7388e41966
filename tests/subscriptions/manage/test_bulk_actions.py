"""Issue 20, item 16: admins act on the subscribers they tick: unsubscribe them, send the
confirmation again, or export just them."""

import csv
import io

import sqlalchemy as sa

from listserve.extensions import db
from listserve.subscriptions.models import Subscriber, Subscription
from tests.committee.helpers import audit_actions, log_in, make_member
from tests.delivery.test_announcement import add_subscribers
from tests.support import csrf_token


def ids_of(app, *addresses):
    with app.app_context():
        return [str(i) for i in db.session.scalars(
            sa.select(Subscription.id).join(Subscriber).where(Subscriber.email.in_(addresses)))]


def statuses(app):
    with app.app_context():
        return dict(db.session.execute(
            sa.select(Subscriber.email, Subscription.status).join(Subscription.subscriber)).all())


def bulk(client, action, ids):
    page = client.get("/committee/subscribers").get_data(as_text=True)
    return client.post("/committee/subscribers/bulk", data={
        "csrf_token": csrf_token(page), "action": action, "ids": ids})


def test_ticked_subscribers_are_unsubscribed_resent_and_exported(app, client, deliver,
                                                                 smtp_sink):
    add_subscribers(app, {"a@example.net": "confirmed", "b@example.net": "confirmed",
                          "c@example.net": "pending", "d@example.net": "confirmed"})
    make_member(app, "root@example.org", "Root", role="admin")
    log_in(client, "root@example.org")
    page = client.get("/committee/subscribers").get_data(as_text=True)
    assert page.count('type="checkbox" name="ids"') == 4

    answer = bulk(client, "unsubscribe", ids_of(app, "a@example.net", "b@example.net"))
    assert answer.status_code == 303
    assert "Unsubscribed 2." in client.get("/committee/subscribers").get_data(as_text=True)
    assert statuses(app) == {"a@example.net": "unsubscribed", "b@example.net": "unsubscribed",
                             "c@example.net": "pending", "d@example.net": "confirmed"}

    bulk(client, "resend", ids_of(app, "c@example.net", "d@example.net"))
    assert "1 skipped" in client.get("/committee/subscribers").get_data(as_text=True)
    deliver()
    assert [m.message["Subject"] for m in smtp_sink.to("c@example.net")]
    assert smtp_sink.to("d@example.net") == []

    exported = bulk(client, "export", ids_of(app, "c@example.net", "d@example.net"))
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert sorted(row["email"] for row in rows) == ["c@example.net", "d@example.net"]
    actions = [a for a, *_ in audit_actions(app)]
    assert actions.count("subscriber.unsubscribe") == 2 and "subscribers exported" in actions


def test_nothing_ticked_or_garbage_is_a_clear_message(app, client):
    make_member(app, "root@example.org", "Root", role="admin")
    log_in(client, "root@example.org")
    for ids in ([], ["1\x00"], ["9" * 40], ["-1"]):
        answer = bulk(client, "unsubscribe", ids)
        assert answer.status_code == 400
        assert "Tick at least one subscriber" in answer.get_data(as_text=True)
    assert bulk(client, "explode", ["1"]).status_code == 400
