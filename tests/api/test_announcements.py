"""Announcements through the API: a draft by one member's token, approved by another's,
sent once (Idempotency-Key), its progress read, with each step in the audit log."""

import sqlalchemy as sa

from listserve.committee.models import AuditEvent
from listserve.extensions import db
from tests.api.helpers import bearer, make_token
from tests.committee.helpers import make_member

DRAFT = {"subject": "Assembly on Saturday", "body": "We meet at **noon**."}


def test_draft_review_send_and_progress(app, client, deliver, smtp_sink):
    author = make_token(app, make_member(app, "bo@example.org"), ["announcements:write", "read"])
    reviewer = make_token(app, make_member(app, "cy@example.org"), ["announcements:write"])
    client.post("/api/v1/subscribers", json={"email": "reader@example.org",
                                             "consent_source": "x", "consent_attested": True},
                headers=bearer(make_token(app, make_member(app, "ana@example.org",
                                                           role="admin"), ["admin"])))
    made = client.post("/api/v1/announcements", json=DRAFT, headers=bearer(author))
    assert made.status_code == 201
    announcement = made.get_json()
    url = f"/api/v1/announcements/{announcement['id']}"
    content_hash = announcement["revision"]["content_hash"]

    own = client.post(f"{url}/approvals", json={"content_hash": content_hash},
                      headers=bearer(author))
    assert own.status_code == 403  # nobody approves their own draft, by API or not
    early = client.post(f"{url}/send", json={}, headers=bearer(author))
    assert early.status_code == 409 and "approval" in early.get_json()["detail"]

    edited = client.patch(url, json={"body": "We meet at **one**."},
                          headers=bearer(author, **{"If-Match": made.headers["ETag"]}))
    assert edited.status_code == 200 and edited.get_json()["revision"]["number"] == 2
    stale = client.patch(url, json={"body": "x"},
                         headers=bearer(author, **{"If-Match": made.headers["ETag"]}))
    assert stale.status_code == 412
    new_hash = edited.get_json()["revision"]["content_hash"]
    assert client.post(f"{url}/approvals", json={"content_hash": content_hash},
                       headers=bearer(reviewer)).status_code == 409  # reviewed an old one
    approved = client.post(f"{url}/approvals", json={"content_hash": new_hash},
                           headers=bearer(reviewer))
    assert approved.status_code == 200 and len(approved.get_json()["approvals"]) == 1

    key = {"Idempotency-Key": "send-assembly"}
    sent = client.post(f"{url}/send", json={}, headers=bearer(author, **key))
    assert sent.status_code == 200 and sent.get_json()["status"] == "sent"
    again = client.post(f"{url}/send", json={}, headers=bearer(author, **key))
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    deliver()
    copies = [m for m in smtp_sink.to("reader@example.org")
              if m.message["Subject"] == "Assembly on Saturday"]
    assert len(copies) == 1
    progress = client.get(f"{url}/progress", headers=bearer(author)).get_json()
    assert progress["sent"] == 1 and progress["state"] == "finished"
    revisions = client.get(f"{url}/revisions", headers=bearer(author)).get_json()
    assert [r["number"] for r in revisions] == [1, 2]
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.subject_type == "announcement").order_by(AuditEvent.id)).all()
    assert actions == ["drafted", "api.create_announcement", "edited",
                       "api.edit_announcement", "approved", "api.approve_announcement",
                       "sent", "api.send_announcement"]
