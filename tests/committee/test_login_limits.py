"""Login POSTs are limited per IP address (listserve.core.ratelimits), on top of the per-account
lockout."""

import pytest

from tests.committee.helpers import log_in, make_member


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LOGIN_RATE_LIMIT": "4 per minute"}


def test_login_posts_are_limited_per_address_and_keep_the_typed_email(app, client):
    make_member(app, "ana@example.org")
    for _ in range(4):
        log_in(client, "ana@example.org", "guess guess guess")
    response = log_in(client, "ana@example.org")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    page = response.get_data(as_text=True)
    assert "Too many attempts" in page and 'value="ana@example.org"' in page


def test_another_address_is_not_limited_by_the_first(app, client):
    make_member(app, "ana@example.org")
    for _ in range(4):
        log_in(client, "ana@example.org", "guess guess guess")
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    assert log_in(other, "ana@example.org", "guess guess guess").status_code == 401
