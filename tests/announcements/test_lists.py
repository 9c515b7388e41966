"""Announcements choose their list: the draft form offers the lists, the send goes to that
list's confirmed subscribers (digest readers wait for the digest) with that list's sender,
subject prefix and footer, after that list's number of approvals."""

import re

import pytest

from tests.announcements.helpers import BASE, press
from tests.committee.helpers import log_in, make_member
from tests.subscriptions.lists_helpers import add_to_list, default_list_id, make_list
from tests.support import csrf_token


@pytest.fixture
def committee(app):
    make_member(app, "ana@example.org", "Ana")
    make_member(app, "ben@example.org", "Ben")
    make_member(app, "cy@example.org", "Cy")
    clients = {}
    for name in ("ana", "ben", "cy"):
        clients[name] = app.test_client()
        log_in(clients[name], f"{name}@example.org")
    return clients


def _draft_to(client, list_id, subject="Working group news"):
    page = client.get(f"{BASE}/new").get_data(as_text=True)
    response = client.post(f"{BASE}/new", data={
        "csrf_token": csrf_token(page), "action": "save", "list_id": str(list_id),
        "subject": subject, "body": "We meet on Thursday.\n"})
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_an_announcement_reaches_only_its_lists_subscribers(app, committee, deliver, smtp_sink):
    talk = make_list(app, "garden", "Garden group", subject_prefix="[Garden]",
                     footer="Garden group of the network.", from_name="The garden group",
                     from_address="garden-news@lists.example.org", required_approvals="2",
                     reply_to_policy="list")
    main = default_list_id(app)
    add_to_list(app, main, "main-only@example.net")
    add_to_list(app, talk, "both@example.net")
    add_to_list(app, main, "both@example.net")
    add_to_list(app, talk, "digest@example.net", mode="digest")
    add_to_list(app, talk, "left@example.net", status="unsubscribed")

    page = committee["ana"].get(f"{BASE}/new").get_data(as_text=True)
    assert "Garden group (garden@lists.example.org)" in page
    draft = _draft_to(committee["ana"], talk)
    assert "Garden group" in committee["ana"].get(f"{BASE}/{draft}").get_data(as_text=True)
    press(committee["ben"], draft, "approve")
    refused = press(committee["ana"], draft, "send")
    assert refused.status_code == 400
    assert "needs 2 approvals" in refused.get_data(as_text=True)
    press(committee["cy"], draft, "approve")
    assert press(committee["ana"], draft, "send").status_code == 303
    deliver()
    [copy] = smtp_sink.messages
    assert copy.rcpt_tos == ["both@example.net"]
    message = copy.message
    assert message["Subject"] == "[Garden] Working group news"
    assert message["From"].addresses[0].addr_spec == "garden-news@lists.example.org"
    assert message["From"].addresses[0].display_name == "The garden group"
    assert message["Reply-To"].addresses[0].addr_spec == "garden@lists.example.org"
    assert "<garden.lists.example.org>" in message["List-Id"]
    assert message["List-Post"] == "NO"
    assert "Garden group of the network." in copy.text and "Garden group of the network." in (
        copy.html)
    assert re.search(r"subscribed to Garden group", copy.text)


def test_a_draft_cannot_go_to_an_unknown_or_archived_list(app, committee):
    old = make_list(app, "old", "Old list")
    from listserve.committee.list_settings import change_list
    from listserve.core.lists import MailingList
    from listserve.extensions import db

    with app.app_context():
        change_list("test", db.session.get(MailingList, old), {"archived": True})
        db.session.commit()
    client = committee["ana"]
    assert "Old list" not in client.get(f"{BASE}/new").get_data(as_text=True)
    for bad in (str(old), "99999", "x\x00", "9" * 300):
        page = client.get(f"{BASE}/new").get_data(as_text=True)
        response = client.post(f"{BASE}/new", data={
            "csrf_token": csrf_token(page), "action": "save", "list_id": bad,
            "subject": "Typed subject", "body": "Typed body\n"})
        assert response.status_code == 400, bad
        assert "Typed subject" in response.get_data(as_text=True)
