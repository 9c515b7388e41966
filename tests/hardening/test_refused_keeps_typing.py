"""A committee form refused for a value it cannot store comes back with what was typed."""

import sqlalchemy as sa

from listserve.announcements.models import Announcement
from listserve.extensions import db
from tests.announcements.helpers import BASE
from tests.committee.helpers import log_in, make_member
from tests.support import csrf_token

BODY = "Dear all,\n\nThe assembly meets on **Saturday** at the union hall.\n"


def test_a_new_draft_with_a_nul_is_refused_and_keeps_subject_and_body(app, client):
    make_member(app, "drafter@example.org")
    log_in(client, "drafter@example.org")
    page = client.get(f"{BASE}/new").get_data(as_text=True)

    response = client.post(f"{BASE}/new", data={
        "csrf_token": csrf_token(page), "action": "save",
        "subject": "Assembly on Saturday", "body": BODY.replace("union", "union\x00"),
    })

    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Assembly on Saturday"' in shown
    # The body comes back whole; the NUL is shown as U+FFFD where it was.
    assert "The assembly meets on **Saturday** at the union\ufffd hall." in shown
    assert "NUL character" in shown
    assert "\x00" not in shown
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Announcement.id))) == 0


def test_the_same_draft_without_the_nul_is_saved(app, client):
    make_member(app, "drafter@example.org")
    log_in(client, "drafter@example.org")
    page = client.get(f"{BASE}/new").get_data(as_text=True)

    response = client.post(f"{BASE}/new", data={
        "csrf_token": csrf_token(page), "action": "save",
        "subject": "Assembly on Saturday", "body": BODY,
    })

    assert response.status_code == 303


def test_a_subscriber_search_with_a_nul_comes_back_filled_in(app, client):
    make_member(app, "admin@example.org", role="admin")
    log_in(client, "admin@example.org")
    response = client.get("/committee/subscribers?q=maria%00lopez")
    assert response.status_code == 400
    shown = response.get_data(as_text=True)
    assert 'value="maria\ufffdlopez"' in shown and "NUL character" in shown


def test_an_id_too_large_for_the_database_is_not_found(client):
    for url in ("/archive?page=99999999999999999999", "/archive/2147483648/x",
                "/archive/search?q=a&page=9223372036854775808", "/archive?page=-1"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "There is nothing at this address." in response.get_data(as_text=True)
