"""Tokens: made on a member's page (shown once, kept hashed), listed, revoked; the CLI;
revoked and expired tokens refused; a token never does more than its member; rate limits."""

import re
from datetime import timedelta

import sqlalchemy as sa

from listserve.api.models import ApiToken
from listserve.committee.models import AuditEvent, CommitteeMember
from listserve.core.db import utcnow
from listserve.extensions import db
from tests.api.helpers import bearer, make_token
from tests.committee.helpers import log_in, make_member, post


def test_a_member_makes_a_token_on_their_page_and_sees_it_once(app, client):
    make_member(app, "bo@example.org")
    log_in(client, "bo@example.org")
    page = client.get("/committee/api/tokens").get_data(as_text=True)
    assert 'value="admin"' not in page  # not offered to a member who is not an admin
    made = post(client, "/committee/api/tokens", {"name": "website form",
                                                  "scopes": ["read", "announcements:write"],
                                                  "expires": "30"},
                page="/committee/api/tokens")
    assert made.status_code == 200
    secret = re.search(r'<code id="new-token">(lst_[^<]+)</code>', made.get_data(as_text=True))[1]
    again = client.get("/committee/api/tokens").get_data(as_text=True)
    assert secret not in again and "website form" in again
    with app.app_context():
        token = db.session.scalar(sa.select(ApiToken))
        assert token.token_hash != secret and secret not in token.token_hash
        assert token.scopes == "announcements:write read"
        assert token.expires_at > utcnow() + timedelta(days=29)
    assert client.get("/api/v1/announcements", headers=bearer(secret)).status_code == 200


def test_a_member_cannot_make_a_token_wider_than_their_role(app, client):
    make_member(app, "bo@example.org")
    log_in(client, "bo@example.org")
    refused = post(client, "/committee/api/tokens", {"name": "too wide", "scopes": ["admin"],
                                                     "expires": "30"},
                   page="/committee/api/tokens")
    assert refused.status_code == 400
    assert 'value="too wide"' in refused.get_data(as_text=True)  # what they typed is kept
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_revoking_on_the_page_refuses_the_token_at_once(app, client):
    member_id = make_member(app, "bo@example.org")
    secret = make_token(app, member_id, ["read"])
    assert client.get("/api/v1/lists", headers=bearer(secret)).status_code == 200
    log_in(client, "bo@example.org")
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    post(client, f"/committee/api/tokens/{token_id}/revoke", page="/committee/api/tokens")
    refused = client.get("/api/v1/lists", headers=bearer(secret))
    assert refused.status_code == 401
    assert "revoked" in refused.get_json()["detail"]
    assert "revoked" in client.get("/committee/api/tokens").get_data(as_text=True)


def test_expired_and_unknown_tokens_are_refused(app, client):
    member_id = make_member(app, "bo@example.org")
    secret = make_token(app, member_id, ["read"], expires_at=utcnow() + timedelta(seconds=60))
    with app.app_context():
        db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    expired = client.get("/api/v1/lists", headers=bearer(secret))
    assert expired.status_code == 401 and "expired" in expired.get_json()["detail"]
    assert client.get("/api/v1/lists", headers=bearer(secret + "x")).status_code == 401
    assert client.get("/api/v1/lists", headers={"Authorization": "Basic eDp5"}).status_code == 401


def test_a_token_loses_what_its_member_loses(app, client):
    admin_id = make_member(app, "ana@example.org", role="admin")
    make_member(app, "cy@example.org", role="admin")  # so Ana can stop being one
    secret = make_token(app, admin_id, ["admin"])
    assert client.get("/api/v1/subscribers", headers=bearer(secret)).status_code == 200
    with app.app_context():
        db.session.get(CommitteeMember, admin_id).role = "member"
        db.session.commit()
    refused = client.get("/api/v1/subscribers", headers=bearer(secret))
    assert refused.status_code == 403
    with app.app_context():
        db.session.get(CommitteeMember, admin_id).enabled = False
        db.session.commit()
    assert client.get("/api/v1/lists", headers=bearer(secret)).status_code == 401


def test_last_use_is_recorded(app, client):
    member_id = make_member(app, "bo@example.org")
    secret = make_token(app, member_id, ["read"])
    client.get("/api/v1/lists", headers=bearer(secret))
    with app.app_context():
        assert db.session.scalar(sa.select(ApiToken.last_used_at)) is not None


def test_each_token_has_its_own_rate_limit(app, client):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    member_id = make_member(app, "bo@example.org")
    first, second = (make_token(app, member_id, ["read"], name=n) for n in ("one", "two"))
    statuses = [client.get("/api/v1/lists", headers=bearer(first)).status_code
                for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/lists", headers=bearer(first))
    assert limited.mimetype == "application/problem+json" and limited.headers["Retry-After"]
    assert client.get("/api/v1/lists", headers=bearer(second)).status_code == 200


def test_the_command_line_makes_lists_and_revokes_tokens(app, client, runner):
    make_member(app, "ana@example.org", role="admin")
    made = runner.invoke(args=["api-token", "create", "--member", "ana@example.org",
                               "--name", "crm", "--scope", "read", "--scope", "admin"])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[0]
    assert secret.startswith("lst_")
    assert client.get("/api/v1/subscribers", headers=bearer(secret)).status_code == 200
    listed = runner.invoke(args=["api-token", "list"])
    assert "crm" in listed.output and "active" in listed.output and secret not in listed.output
    token_id = listed.output.split()[0]
    assert runner.invoke(args=["api-token", "revoke", token_id]).exit_code == 0
    assert client.get("/api/v1/lists", headers=bearer(secret)).status_code == 401
    assert "revoked" in runner.invoke(args=["api-token", "list"]).output
    refused = runner.invoke(args=["api-token", "create", "--member", "nobody@example.org",
                                  "--name", "x", "--scope", "read"])
    assert refused.exit_code != 0
    with app.app_context():
        actions = [e.action for e in db.session.scalars(sa.select(AuditEvent))]
    assert "api_token.created" in actions and "api_token.revoked" in actions
