"""The double opt-in loop, end to end: web form, real SMTP, confirm button, welcome."""

from urllib.parse import urlsplit

from tests.subscriptions.helpers import press_button, subscribe, subscription_of


def path(url: str) -> str:
    return urlsplit(url).path


def test_subscribe_confirm_and_welcome(client, app, smtp_sink, deliver):
    response = subscribe(client, "Alice@Example.net", "Alice Activist")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/subscribe/check-your-inbox")
    assert subscription_of(app, "alice@example.net").status == "pending"

    deliver()
    [confirmation] = smtp_sink.to("Alice@example.net")
    message = confirmation.message
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["From"].addresses[0].addr_spec == "announcements@lists.example.org"
    assert message["Message-ID"].endswith("@lists.example.org>")
    confirm_url = confirmation.link_to("/confirm/")
    # The token reveals no address.
    assert "alice" not in confirm_url.lower()

    page = client.get(path(confirm_url))
    assert page.status_code == 200
    assert b"Confirm</button>" in page.data
    assert subscription_of(app, "alice@example.net").status == "pending"

    confirmed = press_button(client, path(confirm_url))
    assert confirmed.status_code == 200
    assert b"Welcome aboard" in confirmed.data
    subscription = subscription_of(app, "alice@example.net")
    assert subscription.status == "confirmed"
    assert subscription.confirmed_at is not None

    deliver()
    [welcome] = [m for m in smtp_sink.to("Alice@example.net") if m is not confirmation]
    assert "Welcome" in welcome.message["Subject"]
    unsubscribe_url = welcome.link_to("/u/")
    assert unsubscribe_url in welcome.html
    assert welcome.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"<{unsubscribe_url}>" in welcome.message["List-Unsubscribe"]


def test_consent_is_recorded(client, app, deliver, smtp_sink):
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    subscribe(client, "carol@example.net")
    from listserve.extensions import db
    from listserve.subscriptions.models import Subscription

    with app.app_context():
        subscription = db.session.get(Subscription, subscription_of(app, "carol@example.net").id)
        [consent] = subscription.consents
        assert consent.ip == "203.0.113.9"
        assert consent.source == "web form /subscribe"
        assert consent.user_agent
        assert consent.consent_text.text == app.config["CONSENT_TEXT"]
        assert consent.confirmed_at is None
        deliver()
    confirm_url = smtp_sink.to("carol@example.net")[0].link_to("/confirm/")
    press_button(client, path(confirm_url))
    with app.app_context():
        subscription = db.session.get(Subscription, subscription_of(app, "carol@example.net").id)
        assert subscription.consents[0].confirmed_at is not None


def test_subscribe_form_on_every_public_page(client):
    for url in ("/", "/ecosystem"):
        page = client.get(url)
        assert page.status_code == 200
        assert b'action="/subscribe"' in page.data
        assert b'name="website"' in page.data  # the honeypot


def test_subscribe_without_csrf_token_is_refused(client, app):
    response = client.post("/subscribe", data={"email": "dave@example.net"})
    assert response.status_code == 400
    assert subscription_of(app, "dave@example.net") is None
    # What was typed is kept in the form shown on the error page.
    assert b'value="dave@example.net"' in response.data


def test_invalid_address_gets_a_clear_message_and_keeps_input(client, app):
    response = subscribe(client, "not-an-address", "Erin")
    assert response.status_code == 400
    assert b"not-an-address" in response.data
    assert b"field-error" in response.data
    assert b'value="Erin"' in response.data
