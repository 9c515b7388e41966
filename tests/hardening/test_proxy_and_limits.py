"""ProxyFix only when configured, and one rate-limit count across processes (by default, and
with Redis)."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from listserve import create_app
from listserve.extensions import db
from tests.subscriptions.helpers import subscribe

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def client_for(app, app_config):
    """A client of an app built with PROXY_FIX set as asked (the tables are `app`'s)."""
    built = []

    def _client_for(proxy_fix: int):
        built.append(create_app({**app_config, "PROXY_FIX": proxy_fix,
                                 "SUBSCRIBE_RATE_LIMIT": "2 per hour"}))
        return built[-1].test_client()

    yield _client_for
    for other in built:
        with other.app_context():
            db.engine.dispose()


def test_forwarded_https_is_ignored_without_proxy_fix(client_for):
    client = client_for(proxy_fix=0)
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_forwarded_https_is_honoured_behind_a_proxy(client_for):
    client = client_for(proxy_fix=1)
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers


def test_a_forged_forwarded_for_does_not_dodge_the_limit(client_for):
    client = client_for(proxy_fix=0)
    statuses = []
    for n in range(3):
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{n}"
        statuses.append(subscribe(client, f"p{n}@example.net").status_code)
    assert statuses == [303, 303, 429]


def test_behind_a_proxy_each_client_address_has_its_own_limit(client_for):
    client = client_for(proxy_fix=1)
    for address in ("203.0.113.1", "203.0.113.2"):
        client.environ_base["HTTP_X_FORWARDED_FOR"] = address
        statuses = [subscribe(client, f"{address}-{n}@example.net").status_code for n in range(3)]
        assert statuses == [303, 303, 429], address


def subscribe_from_own_process(env: dict, count: int, prefix: str) -> list[int]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.hardening.subscribe_burst", str(count), prefix],
        cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def process_env(app, database_url, tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("LISTSERVE_")}
    env.pop("DATABASE_URL", None)
    env.update({
        "LISTSERVE_SQLALCHEMY_DATABASE_URI": database_url,
        "LISTSERVE_SECRET_KEY": "rate-limit-test-key",
        "LISTSERVE_LIST_DOMAIN": "lists.example.org",
        "LISTSERVE_MAILBOX_DIR": str(tmp_path / "mailbox"),
        "LISTSERVE_SUBSCRIBE_RATE_LIMIT": "3 per hour",
        # A prefix of our own: parallel runs on the same Redis never share a count.
        "LISTSERVE_RATELIMIT_KEY_PREFIX": f"listserve-test-{uuid.uuid4().hex}",
    })
    return env


def test_two_processes_share_one_limit_in_redis(process_env):
    process_env["LISTSERVE_RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379"
    assert subscribe_from_own_process(process_env, 2, "first") == [303, 303]
    assert subscribe_from_own_process(process_env, 2, "second") == [303, 429]


def test_by_default_two_processes_share_one_limit_without_redis(process_env):
    """The default storage is a file in the instance folder that every process opens."""
    assert "LISTSERVE_RATELIMIT_STORAGE_URI" not in process_env
    assert subscribe_from_own_process(process_env, 2, "first") == [303, 303]
    assert subscribe_from_own_process(process_env, 2, "second") == [303, 429]


def test_in_memory_each_process_counts_alone(process_env):
    """Why Redis is needed with several processes: memory storage does not share counts."""
    process_env["LISTSERVE_RATELIMIT_STORAGE_URI"] = "memory://"
    assert subscribe_from_own_process(process_env, 2, "first") == [303, 303]
    assert subscribe_from_own_process(process_env, 2, "second") == [303, 303]


def test_people_can_still_subscribe_when_redis_is_unreachable(app_config, caplog):
    """A rate limit protects the site; it must not turn every sign-up into a 500."""
    down = create_app({**app_config, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:9"})
    try:
        response = subscribe(down.test_client(), "during-an-outage@example.net")
        assert response.status_code == 303
        assert "rate-limit storage unreachable" in caplog.text
    finally:
        with down.app_context():
            db.engine.dispose()
