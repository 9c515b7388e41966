"""Leaving: the button, RFC 8058 one-click (cookieless, both encodings), export and erase."""

import json
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from listserve.core.addresses import address_hash
from listserve.delivery.models import OutboxEntry
from listserve.extensions import db
from listserve.subscriptions.models import ConsentRecord, SignupRequest, Subscriber, Suppression
from tests.subscriptions.helpers import press_button, subscribe, subscription_of
from tests.support import csrf_token


@pytest.fixture
def unsubscribe_path(client, app, deliver, smtp_sink):
    subscribe(client, "kim@example.net", "Kim")
    deliver()
    press_button(client, urlsplit(smtp_sink.to("kim@example.net")[0].link_to("/confirm/")).path)
    deliver()
    welcome = smtp_sink.to("kim@example.net")[-1]
    return urlsplit(welcome.link_to("/u/")).path


def test_get_shows_a_button_and_changes_nothing(client, app, unsubscribe_path):
    page = client.get(unsubscribe_path)
    assert page.status_code == 200
    assert b"Unsubscribe</button>" in page.data
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert subscription_of(app, "kim@example.net").status == "confirmed"


def test_button_unsubscribes(client, app, unsubscribe_path):
    response = press_button(client, unsubscribe_path)
    assert response.status_code == 200
    assert b"You have been unsubscribed" in response.data
    assert subscription_of(app, "kim@example.net").status == "unsubscribed"


def test_button_post_needs_csrf(client, app, unsubscribe_path):
    response = client.post(unsubscribe_path, data={})
    assert response.status_code == 400
    assert subscription_of(app, "kim@example.net").status == "confirmed"


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_one_click_without_cookies(app, unsubscribe_path, encoding):
    mail_client = app.test_client(use_cookies=False)
    if encoding == "multipart":
        kwargs = {"data": {"List-Unsubscribe": "One-Click"}, "content_type": "multipart/form-data"}
    else:
        kwargs = {
            "data": "List-Unsubscribe=One-Click",
            "content_type": "application/x-www-form-urlencoded",
        }
    first = mail_client.post(unsubscribe_path, **kwargs)
    assert first.status_code == 200
    assert "Location" not in first.headers
    assert "Set-Cookie" not in first.headers
    assert subscription_of(app, "kim@example.net").status == "unsubscribed"
    # Idempotent: mail providers may repeat it.
    second = mail_client.post(unsubscribe_path, **kwargs)
    assert second.status_code == 200
    assert subscription_of(app, "kim@example.net").status == "unsubscribed"


def test_one_click_with_a_forged_token_changes_nothing(app, unsubscribe_path):
    token = unsubscribe_path.rsplit("/", 1)[1]
    forged = "/u/" + token[:-2] + ("xx" if not token.endswith("xx") else "yy")
    response = app.test_client(use_cookies=False).post(
        forged, data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 404
    assert subscription_of(app, "kim@example.net").status == "confirmed"


def test_export_holds_subscriptions_and_consent(client, app, unsubscribe_path):
    response = client.get(unsubscribe_path + "/data.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.data)
    assert data["email"] == "kim@example.net"
    assert data["name"] == "Kim"
    [subscription] = data["subscriptions"]
    assert subscription["status"] == "confirmed"
    [consent] = subscription["consent_records"]
    assert consent["confirmed_at"] and consent["asked_at"]
    assert consent["consent_text"] == app.config["CONSENT_TEXT"]
    subjects = [m["subject"] for m in data["mail_sent_to_you"]]
    assert any("confirm" in s.lower() for s in subjects)


def test_erase_leaves_only_a_hash(client, app, unsubscribe_path, deliver, smtp_sink):
    page = client.get(unsubscribe_path + "/data")
    assert b"Erase my data" in page.data
    refused = press_button(client, unsubscribe_path + "/data")  # box not ticked
    assert refused.status_code == 400
    assert subscription_of(app, "kim@example.net") is not None

    # Kim asks to join again (the request waits for a worker), then erases everything.
    token = csrf_token(client.get("/subscribe").get_data(as_text=True))
    assert client.post("/subscribe", data={"csrf_token": token, "email": "Kim@example.net"}
                       ).status_code == 303
    erased = press_button(client, unsubscribe_path + "/data", {"really": "y"})
    assert erased.status_code == 200
    assert b"erased" in erased.data
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Subscriber.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(SignupRequest.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(ConsentRecord.id))) == 0
        recipients = db.session.scalars(sa.select(OutboxEntry.recipient)).all()
        assert recipients and not any("kim" in r for r in recipients)
        assert db.session.scalar(
            sa.select(Suppression).filter_by(address_sha256=address_hash("kim@example.net"))
        )
    # The old links now say so plainly; one-click still answers 200.
    assert client.get(unsubscribe_path).status_code == 200
    assert app.test_client(use_cookies=False).post(
        unsubscribe_path, data={"List-Unsubscribe": "One-Click"}
    ).status_code == 200

    # Subscribing anew is allowed, needs a fresh confirmation, and lifts the suppression.
    smtp_sink.clear()
    subscribe(client, "kim@example.net")
    deliver()
    [confirmation] = smtp_sink.to("kim@example.net")
    press_button(client, urlsplit(confirmation.link_to("/confirm/")).path)
    assert subscription_of(app, "kim@example.net").status == "confirmed"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Suppression.id))) == 0


def test_erase_takes_their_comments_and_leaves_others_replies(client, app, unsubscribe_path):
    from listserve.archive.models import Comment, Commenter
    from tests.archive.helpers import add_comment, make_post, page_url

    with app.app_context():
        post = make_post()
        url = page_url(post)
        asked = add_comment(post, "Is the *bakery* group open?", name="Kim",
                            email="Kim@example.net")
        add_comment(post, "Yes, come along.", name="Ana", email="ana@example.org", parent=asked)
        add_comment(post, "Count me in for *transport*.", name="Kim", email="kim@example.net")
        db.session.commit()
    data = json.loads(client.get(unsubscribe_path + "/data.json").data)
    assert [c["text"] for c in data["comments"]] == [
        "Is the *bakery* group open?", "Count me in for *transport*."]
    assert b"any comments you wrote" in client.get(unsubscribe_path + "/data").data

    press_button(client, unsubscribe_path + "/data", {"really": "y"})
    page = client.get(url).get_data(as_text=True)
    assert "bakery" not in page and "transport" not in page and "Kim" not in page
    assert "Yes, come along." in page  # Ana's reply still reads, under a placeholder
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 2
        emails = db.session.scalars(sa.select(Commenter.email)).all()
        assert "ana@example.org" in emails and not any("kim" in e.lower() for e in emails)
