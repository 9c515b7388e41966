"""Drafting, reviewing and sending through the committee's pages, as members do."""

import re

from listserve.announcements.models import Announcement
from listserve.core.lists import get_default_list
from listserve.extensions import db
from tests.support import csrf_token

BASE = "/committee/announcements"


def write_draft(client, subject="Launch news", body="Hello **everyone**.\n", next_steps=""):
    page = client.get(f"{BASE}/new")
    response = client.post(f"{BASE}/new", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "action": "save",
        "subject": subject, "body": body, "next_steps": next_steps,
    })
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def edit_draft(client, announcement_id, **fields):
    url = f"{BASE}/{announcement_id}/edit"
    page = client.get(url).get_data(as_text=True)
    current = {
        "subject": re.search(r'name="subject"[^>]*value="([^"]*)"', page).group(1),
        "body": re.search(r'name="body"[^>]*>\n?(.*?)</textarea>', page, re.S).group(1),
    }
    return client.post(url, data={"csrf_token": csrf_token(page), "action": "save",
                                  **current, **fields})


def press(client, announcement_id, action, **data):
    """Press a button on the announcement's page (approve, test, send, schedule, …)."""
    page = client.get(f"{BASE}/{announcement_id}").get_data(as_text=True)
    if action == "approve" and "revision_hash" not in data:
        data["revision_hash"] = re.search(r'name="revision_hash"[^>]*value="([0-9a-f]{64})"',
                                          page).group(1)
    return client.post(f"{BASE}/{announcement_id}/{action}",
                       data={"csrf_token": csrf_token(page), **data})


def set_required_approvals(app, n):
    with app.app_context():
        get_default_list().required_approvals = n
        db.session.commit()


def announcement_state(app, announcement_id) -> dict:
    with app.app_context():
        announcement = db.session.get(Announcement, announcement_id)
        revision = announcement.current_revision
        return {"status": announcement.status, "hash": revision.content_hash,
                "revision": revision.number, "mailing_id": announcement.mailing_id,
                "post_id": announcement.post_id, "body": revision.body}
