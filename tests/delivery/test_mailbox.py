"""With no mail server configured, mail is kept locally and shown at /_mailbox in debug mode."""

from urllib.parse import urlsplit

import pytest

from tests.subscriptions.helpers import press_button, subscribe, subscription_of


@pytest.fixture
def app_config(app_config):
    return {**app_config, "MAIL_SERVER": None, "DEBUG": True}


def test_newcomer_confirms_through_the_local_mailbox(client, app, deliver, smtp_sink):
    subscribe(client, "newcomer@example.net")
    deliver()
    assert smtp_sink.messages == []  # nothing went over SMTP
    page = client.get("/_mailbox").get_data(as_text=True)
    assert "Please confirm" in page
    start = page.index('<a href="http://localhost/confirm/') + len('<a href="')
    link = page[start : page.index('"', start)]
    press_button(client, urlsplit(link).path)
    assert subscription_of(app, "newcomer@example.net").status == "confirmed"
    deliver()
    assert "Welcome to" in client.get("/_mailbox").get_data(as_text=True)


def test_mailbox_hidden_without_debug(client, app):
    app.debug = False
    assert client.get("/_mailbox").status_code == 404
