"""On an https site the session cookie is Secure, HttpOnly and SameSite=Lax."""

import pytest

from tests.committee.helpers import log_in, make_member


@pytest.fixture
def app_config(app_config):
    return {**app_config, "BASE_URL": "https://lists.example.org"}


def test_session_cookie_is_secure_httponly_and_lax(app):
    make_member(app, "ana@example.org")
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    response = log_in(client, "ana@example.org")
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
