"""Verified tokens are kept in each process for API_TOKEN_CACHE_SECONDS: a token revoked in
the process that serves it is refused at once; revoked by another process (the command line
here, a real one), it is refused once that delay has passed, and not later."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from listserve.api.models import ApiToken
from listserve.api.token_cache import TokenCache
from listserve.committee.models import CommitteeMember
from listserve.extensions import db
from tests.api.helpers import bearer, make_token
from tests.committee.helpers import make_member

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clock(monkeypatch):
    """The cache's clock, moved by hand (no sleeping)."""
    now = [1000.0]
    monkeypatch.setattr(TokenCache, "clock", staticmethod(lambda: now[0]))
    return now


def token_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(ApiToken.id))


def revoke_in_another_process(app, token: int) -> None:
    cfg = app.config
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "BASE_URL", "LIST_DOMAIN"):
        env[f"LISTSERVE_{key}"] = str(cfg[key])
    done = subprocess.run([sys.executable, "-m", "listserve", "api-token", "revoke", str(token)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_revoked_in_this_process_is_refused_at_once(app, client, runner, clock):
    member_id = make_member(app, "bo@example.org")
    secret = make_token(app, member_id, ["read"])
    assert client.get("/api/v1/lists", headers=bearer(secret)).status_code == 200  # kept now
    assert runner.invoke(args=["api-token", "revoke", str(token_id(app))]).exit_code == 0
    refused = client.get("/api/v1/lists", headers=bearer(secret))
    assert refused.status_code == 401 and "revoked" in refused.get_json()["detail"]


def test_revoked_in_another_process_is_refused_after_the_delay(app, client, clock):
    app.config["API_TOKEN_CACHE_SECONDS"] = 2
    app.extensions["api_token_cache"].seconds = 2
    member_id = make_member(app, "bo@example.org")
    secret = make_token(app, member_id, ["read"])
    assert client.get("/api/v1/lists", headers=bearer(secret)).status_code == 200
    revoke_in_another_process(app, token_id(app))
    clock[0] += 1.9  # within the delay, this process has not heard of it
    assert client.get("/api/v1/lists", headers=bearer(secret)).status_code == 200
    clock[0] += 0.2  # past it
    refused = client.get("/api/v1/lists", headers=bearer(secret))
    assert refused.status_code == 401 and "revoked" in refused.get_json()["detail"]


def test_without_the_cache_another_process_is_heard_at_once(app, client, clock):
    app.extensions["api_token_cache"].seconds = 0
    member_id = make_member(app, "bo@example.org")
    secret = make_token(app, member_id, ["read"])
    assert client.get("/api/v1/lists", headers=bearer(secret)).status_code == 200
    revoke_in_another_process(app, token_id(app))
    assert client.get("/api/v1/lists", headers=bearer(secret)).status_code == 401


def test_a_member_disabled_in_this_process_loses_the_token_at_once(app, client, clock):
    member_id = make_member(app, "bo@example.org")
    secret = make_token(app, member_id, ["read"])
    assert client.get("/api/v1/lists", headers=bearer(secret)).status_code == 200
    with app.app_context():  # a statement, not an object: the cache hears of it too
        db.session.execute(sa.update(CommitteeMember).values(enabled=False))
        db.session.commit()
    assert client.get("/api/v1/lists", headers=bearer(secret)).status_code == 401
