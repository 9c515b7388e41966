"""Subscribers through the API: double opt-in with the confirmation mail and the consent
source, attested consent only with the admin scope, ETag / If-Match, audit, idempotency."""

import sqlalchemy as sa

from listserve.committee.models import AuditEvent
from listserve.extensions import db
from listserve.subscriptions.models import ConsentRecord, Subscription
from tests.api.helpers import admin_token, bearer, make_token
from tests.committee.helpers import make_member
from tests.support import csrf_token

NEW = {"email": "Dana@Example.org", "name": "Dana", "consent_source": "signup form on our site"}


def test_a_subscriber_added_by_the_api_gets_the_confirmation_mail(app, client, deliver,
                                                                   smtp_sink):
    secret = admin_token(app, scopes=["subscribers:write", "read"])
    made = client.post("/api/v1/subscribers", json=NEW, headers=bearer(secret))
    assert made.status_code == 202
    assert made.get_json()["status"] == "pending"
    deliver()
    [mail] = smtp_sink.to("Dana@example.org")
    assert "confirm" in mail.message["Subject"].lower()
    confirm = mail.link_to("/confirm/")
    with app.app_context():
        record = db.session.scalar(sa.select(ConsentRecord))
        assert record.source.startswith("api: signup form on our site (token lst_")
        assert record.confirmed_at is None
    # The person confirms through their own link, as on the web.
    path = confirm.split("localhost", 1)[1]
    page = client.get(path)
    assert page.status_code == 200
    client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    listed = client.get("/api/v1/subscribers?status=confirmed", headers=bearer(secret))
    assert [s["email"] for s in listed.get_json()["items"]] == ["Dana@example.org"]


def test_attesting_consent_needs_the_admin_scope(app, client, deliver, smtp_sink):
    admin_id = make_member(app, "ana@example.org", role="admin")
    writer = make_token(app, admin_id, ["subscribers:write"], name="writer")
    refused = client.post("/api/v1/subscribers", json={**NEW, "consent_attested": True},
                          headers=bearer(writer))
    assert refused.status_code == 403
    admin = make_token(app, admin_id, ["admin"], name="admin")
    made = client.post("/api/v1/subscribers", json={**NEW, "consent_attested": True},
                       headers=bearer(admin))
    assert made.status_code == 202 and made.get_json()["status"] == "confirmed"
    deliver()
    subjects = [m.message["Subject"] for m in smtp_sink.to("Dana@example.org")]
    assert not any("confirm" in s.lower() for s in subjects)  # no double opt-in mail
    with app.app_context():
        record = db.session.scalar(sa.select(ConsentRecord))
        assert "signup form on our site" in record.source and record.confirmed_at is not None


def test_bad_input_is_a_clear_4xx(app, client):
    secret = admin_token(app, scopes=["subscribers:write"])
    for body in ({"email": "not an address", "consent_source": "x"},
                 {"email": "a@example.org"},
                 {"email": "a@example.org", "consent_source": "x", "name": "A\r\nBcc: b@c.d"},
                 {"email": "a@example.org", "consent_source": "x", "list_id": 999},
                 {"email": "a@example.org", "consent_source": "form\0"},
                 {"email": "a@example.org", "consent_source": "\ud800"}):
        response = client.post("/api/v1/subscribers", json=body, headers=bearer(secret))
        assert response.status_code == 422, body
        assert response.get_json()["detail"] or response.get_json()["errors"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Subscription.id))) == 0


def test_a_stale_etag_gets_412_and_changes_nothing(app, client):
    secret = admin_token(app, scopes=["subscribers:write", "read"])
    created = client.post("/api/v1/subscribers", json=NEW, headers=bearer(secret)).get_json()
    url = f"/api/v1/subscribers/{created['id']}"
    read = client.get(url, headers=bearer(secret))
    etag = read.headers["ETag"]
    first = client.patch(url, json={"name": "Dana R."},
                         headers=bearer(secret, **{"If-Match": etag}))
    assert first.status_code == 200 and first.get_json()["name"] == "Dana R."
    assert first.headers["ETag"] != etag
    stale = client.patch(url, json={"name": "Someone else"},
                         headers=bearer(secret, **{"If-Match": etag}))
    assert stale.status_code == 412
    assert stale.mimetype == "application/problem+json"
    assert client.get(url, headers=bearer(secret)).get_json()["name"] == "Dana R."


def test_changes_are_audited_under_member_and_token(app, client):
    secret = admin_token(app, scopes=["subscribers:write", "read"])
    created = client.post("/api/v1/subscribers", json=NEW, headers=bearer(secret)).get_json()
    client.post(f"/api/v1/subscribers/{created['id']}/unsubscribe", headers=bearer(secret))
    client.get("/api/v1/subscribers", headers=bearer(secret))  # reading is not audited
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action.like("api.%")).order_by(AuditEvent.id)).all()
        assert [e.action for e in events] == ["api.create_subscriber",
                                              "api.unsubscribe_subscriber"]
        for event in events:
            assert event.actor_label.startswith("Ana <ana@example.org>")
            assert event.detail["token"].startswith("test tool (lst_")
            assert event.subject_id == created["id"]
    audit = client.get("/api/v1/audit-events?subject_type=subscription",
                       headers=bearer(secret)).get_json()
    assert "api.unsubscribe_subscriber" in [e["action"] for e in audit["items"]]


def test_an_idempotency_key_makes_a_retry_send_nothing_twice(app, client, deliver, smtp_sink):
    secret = admin_token(app, scopes=["subscribers:write"])
    key = {"Idempotency-Key": "signup-42"}
    first = client.post("/api/v1/subscribers", json=NEW, headers=bearer(secret, **key))
    again = client.post("/api/v1/subscribers", json=NEW, headers=bearer(secret, **key))
    assert again.status_code == first.status_code == 202
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/subscribers", json={**NEW, "email": "eve@example.org"},
                        headers=bearer(secret, **key))
    assert other.status_code == 422
    deliver()
    assert len(smtp_sink.to("Dana@example.org")) == 1


def test_pages_follow_the_cursor(app, client):
    secret = admin_token(app, scopes=["admin"])
    for n in range(5):
        client.post("/api/v1/subscribers", json={**NEW, "email": f"p{n}@example.org"},
                    headers=bearer(secret))
    seen, cursor = [], ""
    while True:
        page = client.get(f"/api/v1/subscribers?limit=2&after={cursor}",
                          headers=bearer(secret)).get_json()
        seen += [s["email"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"p{n}@example.org" for n in range(5)]
    found = client.get("/api/v1/subscribers?q=P3", headers=bearer(secret)).get_json()
    assert [s["email"] for s in found["items"]] == ["p3@example.org"]
    export = client.get("/api/v1/subscribers/export?q=p1", headers=bearer(secret))
    assert [row["email"] for row in export.get_json()] == ["p1@example.org"]
    assert export.get_json()[0]["consent_records"][0]["source"].startswith("api: ")


def test_a_subscriber_s_language_is_given_read_and_changed(app, client, deliver, smtp_sink):
    """Issue 22: `language` in the subscriber objects; the confirmation mail is written in
    it; a language the site does not offer is a 422."""
    secret = admin_token(app, scopes=["subscribers:write", "read"])
    refused = client.post("/api/v1/subscribers", json={**NEW, "language": "tlh"},
                          headers=bearer(secret))
    assert refused.status_code == 422
    made = client.post("/api/v1/subscribers", json={**NEW, "language": "es"},
                       headers=bearer(secret))
    assert made.status_code == 202 and made.get_json()["language"] == "es"
    deliver()
    [mail] = smtp_sink.to("Dana@example.org")
    assert mail.message["Content-Language"] == "es"
    item = client.get(f"/api/v1/subscribers/{made.get_json()['id']}", headers=bearer(secret))
    changed = client.patch(f"/api/v1/subscribers/{made.get_json()['id']}",
                           json={"language": "en"},
                           headers={**bearer(secret), "If-Match": item.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["language"] == "en"
    listed = client.get("/api/v1/subscribers", headers=bearer(secret)).get_json()["items"]
    assert [s["language"] for s in listed] == ["en"]


def test_a_page_shows_each_subscriber_as_its_own_url_does(app, client):
    secret = admin_token(app, scopes=["admin"])
    client.post("/api/v1/subscribers", json={**NEW, "consent_attested": True},
                headers=bearer(secret))
    client.post("/api/v1/subscribers", json={**NEW, "email": "eve@example.org"},
                headers=bearer(secret))
    for query in ("limit=10", "limit=10&status=confirmed&q=dana", "limit=+10"):
        items = client.get(f"/api/v1/subscribers?{query}", headers=bearer(secret)).get_json()
        for item in items["items"]:
            alone = client.get(f"/api/v1/subscribers/{item['id']}", headers=bearer(secret))
            assert item == alone.get_json()
            assert item["requested_at"].endswith("+00:00")
    assert client.get("/api/v1/subscribers?limit=501", headers=bearer(secret)).status_code == 422
    assert client.get("/api/v1/subscribers?limit=1&limit=2",
                      headers=bearer(secret)).status_code == 200
