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


def test_the_mailbox_pages_filters_and_shows_the_html_part(client, app, deliver):
    """Issue 20, item 13: after many mails a newcomer still finds theirs."""
    for n in range(12):
        subscribe(client, f"person{n}@example.net")
    subscribe(client, "findme@example.net")
    deliver()
    first = client.get("/_mailbox").get_data(as_text=True)
    assert "13 mails" in first and first.count('<article class="mail">') == 10
    assert "Page 1 of 2" in first
    assert client.get("/_mailbox?page=2").get_data(as_text=True).count(
        '<article class="mail">') == 3
    mine = client.get("/_mailbox?to=findme").get_data(as_text=True)
    assert mine.count('<article class="mail">') == 1 and "findme@example.net" in mine
    assert client.get("/_mailbox?subject=no+such+subject").get_data(
        as_text=True).count('<article class="mail">') == 0
    start = mine.index('href="/_mailbox/') + len('href="')
    html_part = client.get(mine[start:mine.index('"', start)])
    assert html_part.status_code == 200 and "<a href" in html_part.get_data(as_text=True)
    assert "sandbox" in html_part.headers["Content-Security-Policy"]
    assert client.get("/_mailbox/not-a-key.html").status_code == 404
