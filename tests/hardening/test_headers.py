"""Security headers on every response: pages, error pages, static files, token URLs."""

import pytest

from listserve.core.security import CONTENT_SECURITY_POLICY

EVERY_KIND_OF_RESPONSE = [
    ("GET", "/"),
    ("GET", "/ecosystem"),
    ("GET", "/subscribe"),
    ("GET", "/subscribe/check-your-inbox"),
    ("GET", "/static/style.css"),
    ("GET", "/no-such-page"),  # 404
    ("DELETE", "/subscribe"),  # 405
    ("POST", "/subscribe"),  # 400: no CSRF token
    ("GET", "/confirm/not-a-token"),
    ("GET", "/u/not-a-token"),
    ("POST", "/u/not-a-token"),
]


@pytest.mark.parametrize(("method", "path"), EVERY_KIND_OF_RESPONSE)
def test_every_response_carries_csp_and_nosniff(client, method, path):
    with client.open(path, method=method) as response:
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_every_parameterless_page_carries_the_headers(app, client):
    """Routes added later are covered too: every GET route without arguments is fetched."""
    paths = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments
    ]
    assert "/" in paths
    for path in paths:
        response = client.get(path)
        assert "script-src" not in response.headers["Content-Security-Policy"], path
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path


def test_policy_forbids_inline_script_and_framing():
    directives = dict(
        part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";") if part.strip()
    )
    assert directives == {
        "default-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
    }
    assert "unsafe" not in CONTENT_SECURITY_POLICY


TOKEN_URLS = [
    "/confirm/some-token", "/u/some-token", "/u/some-token/data", "/u/some-token/data.json",
]


@pytest.mark.parametrize("path", TOKEN_URLS)
def test_token_urls_send_no_referrer(client, path):
    assert client.get(path).headers["Referrer-Policy"] == "no-referrer"


def test_pages_without_tokens_keep_a_referrer_for_the_origin(client):
    assert client.get("/").headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://lists.example.org")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
