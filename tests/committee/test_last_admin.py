"""The committee always keeps an admin who can log in: refused with a clear message otherwise,
and nothing is stored."""

import threading

import pytest
import sqlalchemy as sa

from listserve.committee.models import CommitteeMember
from listserve.extensions import db
from tests.committee.helpers import audit_actions, log_in, make_member
from tests.support import csrf_token

REFUSED = "The committee must keep at least one active admin."


def post_from_members_page(client, url, **data):
    page = client.get("/committee/members").get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(page), **data}, follow_redirects=True)


def admins_who_can_log_in(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(CommitteeMember.email).where(
            CommitteeMember.role == "admin", CommitteeMember.enabled.is_(True),
            CommitteeMember.password_hash.is_not(None))))


def test_an_invited_admin_who_never_logged_in_does_not_count(app, client):
    root_id = make_member(app, "root@example.org", role="admin")
    make_member(app, "invited@example.org", role="admin", password=None)  # invitation open
    log_in(client, "root@example.org")
    page = post_from_members_page(client, f"/committee/members/{root_id}/role", role="member")
    assert REFUSED in page.get_data(as_text=True)
    assert "accepted their invitation" in page.get_data(as_text=True)
    assert admins_who_can_log_in(app) == ["root@example.org"]
    assert client.get("/committee/members").status_code == 200  # still an admin
    # Logging in is audited (issue 20); the refused change itself leaves nothing.
    assert [action for action, _, _ in audit_actions(app) if action != "logged in"] == []


@pytest.mark.parametrize("change", ["role", "disable"])
def test_two_admins_removing_each_other_at_once_leave_one(app, change):
    """Each admin demotes (or disables) the other at the same moment: one of them wins."""
    ids = {email: make_member(app, email, role="admin")
           for email in ("a@example.org", "b@example.org")}
    clients, pages = {}, {}
    for email in ids:
        clients[email] = app.test_client()
        log_in(clients[email], email)
        pages[email] = clients[email].get("/committee/members").get_data(as_text=True)
    start = threading.Barrier(2)
    statuses = []

    def remove_the_other(me, other):
        url = f"/committee/members/{ids[other]}/{'role' if change == 'role' else 'disable'}"
        start.wait()
        response = clients[me].post(url, data={"csrf_token": csrf_token(pages[me]),
                                               "role": "member"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=remove_the_other, args=pair)
               for pair in (("a@example.org", "b@example.org"),
                            ("b@example.org", "a@example.org"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Refused with a flash on the members page (303), or no longer an admin (403) or no
    # longer logged in (401): never a 5xx.
    assert set(statuses) <= {303, 401, 403}
    assert len(admins_who_can_log_in(app)) == 1
