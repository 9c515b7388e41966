"""Sending: the approved revision, and only it, reaches subscribers; tests reach one member."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from listserve.announcements.models import Revision
from listserve.archive.models import Post
from listserve.core.db import utcnow
from listserve.core.rendering import render_announcement_text
from listserve.extensions import db
from tests.announcements.helpers import (
    announcement_state,
    edit_draft,
    press,
    write_draft,
)
from tests.committee.helpers import audit_actions, log_in, make_member
from tests.delivery.test_announcement import add_subscribers

SUBSCRIBERS = {"sub1@example.net": "confirmed", "sub2@example.net": "confirmed",
               "pending@example.net": "pending"}


@pytest.fixture
def committee(app):
    make_member(app, "ana@example.org", "Ana")
    make_member(app, "ben@example.org", "Ben")
    make_member(app, "root@example.org", "Root", role="admin")
    add_subscribers(app, SUBSCRIBERS)
    clients = {}
    for name in ("ana", "ben", "root"):
        clients[name] = app.test_client()
        log_in(clients[name], f"{name}@example.org")
    return clients


APPROVED_BODY = "We meet on **Tuesday** at the [hall](/archive/hall).\n"


def test_the_copy_at_the_sink_carries_the_approved_revision(app, committee, deliver, smtp_sink):
    draft = write_draft(committee["ana"], "Meeting", "We meet on Monday.\n")
    edit_draft(committee["ana"], draft, body=APPROVED_BODY, next_steps="- Bring a chair\n")
    press(committee["ben"], draft, "approve")
    approved = announcement_state(app, draft)
    assert press(committee["ana"], draft, "send").status_code == 303
    approved["post_id"] = announcement_state(app, draft)["post_id"]
    deliver()
    copies = smtp_sink.messages
    assert sorted(r for c in copies for r in c.rcpt_tos) == ["sub1@example.net",
                                                            "sub2@example.net"]
    with app.app_context():
        revision = db.session.scalar(sa.select(Revision).filter_by(content_hash=approved["hash"]))
        expected_text = render_announcement_text(
            f"{revision.body}\n## Next steps\n\n{revision.next_steps}")
        post = db.session.get(Post, approved["post_id"])
        archived = f"<http://localhost/archive/announcements/{post.year}/{post.slug}>"
    for copy in copies:
        assert copy.message["Subject"] == "Meeting"
        assert copy.text.replace("\r\n", "\n").startswith(expected_text)
        assert "Monday" not in copy.text
        assert "Leave the list with one click: http://localhost/u/" in copy.text
        # Relative links are made absolute for mail clients.
        assert '<a href="http://localhost/archive/hall"' in copy.html
        assert copy.message["Archived-At"] == archived
    sent = [e for e in audit_actions(app, "announcement", draft) if e[0] == "sent"]
    assert [e[2] for e in sent] == [approved["hash"]]


def test_the_audit_log_tells_the_whole_story(app, committee, deliver):
    draft = write_draft(committee["ana"], "Story", "First words.\n")
    edit_draft(committee["ana"], draft, body="Second words.\n")
    press(committee["ben"], draft, "comments", body="Looks good.")
    press(committee["ben"], draft, "approve")
    press(committee["ana"], draft, "test")
    press(committee["ana"], draft, "send")
    deliver()
    history = audit_actions(app, "announcement", draft)
    assert [action for action, *_ in history] == [
        "drafted", "edited", "commented", "approved", "test sent", "sent"]
    final = announcement_state(app, draft)["hash"]
    assert [h for a, _, h in history if a in ("approved", "sent")] == [final, final]
    page = committee["root"].get(f"/committee/audit?type=announcement&id={draft}")
    text = page.get_data(as_text=True)
    for action in ("drafted", "edited", "approved", "sent"):
        assert f"<td>{action}</td>" in text
    assert final in text and "Ben &lt;ben@example.org&gt;" in text


def test_a_test_send_goes_to_the_member_alone(app, committee, deliver, smtp_sink):
    draft = write_draft(committee["ana"], "Try me", "Only for Ana's eyes.\n")
    response = press(committee["ana"], draft, "test")
    assert response.status_code == 303
    deliver()
    [copy] = smtp_sink.messages
    assert copy.rcpt_tos == ["ana@example.org"]
    assert copy.message["Subject"] == "[Test] Try me"
    assert "Only for Ana's eyes." in copy.text and "Leave the list" in copy.text
    assert announcement_state(app, draft)["status"] == "draft"


def test_a_scheduled_send_starts_at_its_time_and_not_before(app, committee, deliver, smtp_sink):
    draft = write_draft(committee["ana"], "Later", "Sent on time.\n")
    press(committee["ben"], draft, "approve")
    # Ahead of the real clock: a session signed "in the future" would not be accepted.
    start = (utcnow() + timedelta(minutes=1)).replace(second=0, microsecond=0)
    due = start + timedelta(hours=2)
    with freeze_time(start) as clock:
        response = press(committee["ana"], draft, "schedule",
                         **{"schedule-when": due.strftime("%Y-%m-%dT%H:%M")})
        assert response.status_code == 303
        assert announcement_state(app, draft)["status"] == "scheduled"
        clock.tick(timedelta(hours=1, minutes=59))
        deliver()
        assert smtp_sink.messages == []
        assert announcement_state(app, draft)["post_id"] is None
        clock.tick(timedelta(minutes=1))
        deliver()
    assert len(smtp_sink.messages) == 2
    assert announcement_state(app, draft)["status"] == "sent"
    actions = audit_actions(app, "announcement", draft)
    assert [a for a, *_ in actions][-2:] == ["scheduled", "sent"]


def test_a_schedule_is_read_in_the_members_time_zone(app, committee):
    draft = write_draft(committee["ana"], "Zoned", "Text.\n")
    press(committee["ben"], draft, "approve")
    settings = committee["ana"].get("/committee/settings").get_data(as_text=True)
    from tests.support import csrf_token

    committee["ana"].post("/committee/settings", data={
        "csrf_token": csrf_token(settings), "time_zone": "Asia/Tokyo"})
    when = (utcnow() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    press(committee["ana"], draft, "schedule",
          **{"schedule-when": when.strftime("%Y-%m-%dT%H:%M")})
    with app.app_context():
        from listserve.announcements.models import Announcement

        scheduled_at = db.session.get(Announcement, draft).scheduled_at
    assert scheduled_at == when - timedelta(hours=9)  # 09:00 in Tokyo is 00:00 UTC
    page = committee["ana"].get(f"/committee/announcements/{draft}").get_data(as_text=True)
    assert "09:00 Asia/Tokyo" in page


def test_a_time_in_the_past_is_refused_and_what_was_typed_is_kept(app, committee):
    draft = write_draft(committee["ana"], "Past", "Text.\n")
    press(committee["ben"], draft, "approve")
    response = press(committee["ana"], draft, "schedule",
                     **{"schedule-when": "2001-01-01T10:00"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "time in the future" in page and 'value="2001-01-01T10:00"' in page


def test_unscheduling_makes_it_a_draft_again_and_editing_needs_it(app, committee):
    draft = write_draft(committee["ana"], "Wait", "Text.\n")
    press(committee["ben"], draft, "approve")
    when = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    press(committee["ana"], draft, "schedule", **{"schedule-when": when})
    refused = edit_draft(committee["ana"], draft, body="Changed.\n")
    assert refused.status_code == 400 and "unschedule it" in refused.get_data(as_text=True)
    assert press(committee["ana"], draft, "unschedule").status_code == 303
    assert announcement_state(app, draft)["status"] == "draft"


def test_progress_pause_resume_and_cancel(app, committee, deliver, smtp_sink):
    draft = write_draft(committee["ana"], "Steer", "Text.\n")
    press(committee["ben"], draft, "approve")
    press(committee["ana"], draft, "send")
    client = committee["ana"]
    progress = client.get(f"/committee/announcements/{draft}/progress.json").get_json()
    assert progress["queued"] == 2 and progress["sent"] == 0 and progress["status"] == "active"
    page = client.get(f"/committee/announcements/{draft}/sending").get_data(as_text=True)
    assert 'data-progress="queued">2<' in page
    assert 'data-progress="state">active<' in page

    def steer(action):
        page = client.get(f"/committee/announcements/{draft}/sending").get_data(as_text=True)
        from tests.support import csrf_token

        return client.post(f"/committee/announcements/{draft}/{action}",
                           data={"csrf_token": csrf_token(page)})

    assert steer("pause").status_code == 303
    deliver()
    assert smtp_sink.messages == []
    assert steer("resume").status_code == 303
    deliver()
    progress = client.get(f"/committee/announcements/{draft}/progress.json").get_json()
    assert progress["sent"] == 2 and progress["queued"] == 0 and progress["done"]
    # Every copy is out: the page says so, rather than "active".
    assert progress["state"] == "finished"
    page = client.get(f"/committee/announcements/{draft}/sending").get_data(as_text=True)
    assert 'data-progress="state">finished<' in page
    assert steer("cancel").status_code == 303  # nothing left: still refused politely
    actions = [a for a, *_ in audit_actions(app, "announcement", draft)]
    assert actions[-3:] == ["sent", "paused", "resumed"] or "cancelled" in actions


def test_cancel_stops_the_copies_not_yet_sent(app, committee, deliver, smtp_sink):
    draft = write_draft(committee["ana"], "Stop", "Text.\n")
    press(committee["ben"], draft, "approve")
    press(committee["ana"], draft, "send")
    page = committee["root"].get(f"/committee/announcements/{draft}/sending")
    from tests.support import csrf_token

    response = committee["root"].post(f"/committee/announcements/{draft}/cancel",
                                      data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 303
    deliver()
    assert smtp_sink.messages == []
    assert "cancelled" in [a for a, *_ in audit_actions(app, "announcement", draft)]
