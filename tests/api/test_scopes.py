"""Scopes on every route, as a table: each route names its scope (listserve.api.auth), and a
token of every other scope is refused with 403 before anything is read or changed."""

import re

import pytest

from listserve.api.auth import REQUIREMENTS
from listserve.api.models import Scope
from tests.api.helpers import bearer, make_token
from tests.committee.helpers import make_member


def api_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, url with 1 for every id) for every route under /api/v1."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    return found


def call(client, method, url, secret):
    return client.open(url, method=method, json={} if method in ("POST", "PATCH") else None,
                       headers=bearer(secret))


def test_every_api_route_declares_its_scope(app):
    routes = api_routes(app)
    assert len(routes) > 20
    assert [endpoint for endpoint, _, _ in routes if endpoint not in REQUIREMENTS] == []


@pytest.mark.parametrize("scope", [scope.value for scope in Scope])
def test_a_token_reaches_exactly_the_routes_of_its_scope(app, client, scope):
    admin_id = make_member(app, "ana@example.org", role="admin")
    secret = make_token(app, admin_id, [scope])
    wrong = []
    for endpoint, method, url in api_routes(app):
        needed, _ = REQUIREMENTS[endpoint]
        status = call(client, method, url, secret).status_code
        allowed = scope in (needed, Scope.ADMIN)
        if allowed == (status in (401, 403)):
            wrong.append(f"{method} {url} ({needed}): {status}")
    assert wrong == []


def test_routes_for_admins_refuse_a_member_whatever_the_scope(app, client):
    member_id = make_member(app, "bo@example.org")
    secret = make_token(app, member_id, ["read", "announcements:write", "moderate"])
    for endpoint, method, url in api_routes(app):
        needed, admin_member = REQUIREMENTS[endpoint]
        status = call(client, method, url, secret).status_code
        if admin_member:
            assert status == 403, f"{method} {url}"
        elif needed in ("read", "announcements:write", "moderate"):
            assert status not in (401, 403), f"{method} {url}"


def test_no_token_no_access_anywhere(app, client):
    for _, method, url in api_routes(app):
        response = client.open(url, method=method)
        assert response.status_code == 401, f"{method} {url}"
        assert response.mimetype == "application/problem+json"
