"""The OpenAPI document: valid, complete (every route under /api/v1 is in it), browsable
under our Content-Security-Policy, and every error under /api/v1 is problem+json."""

import re

from openapi_spec_validator import validate

from tests.api.helpers import admin_token, bearer

API_PREFIX = "/api/v1"
NOT_OPERATIONS = {"/api/v1/openapi.json", "/api/v1/docs"}


def spec_paths(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()["paths"]


def test_the_served_document_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    validate(spec)
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_route_under_api_v1_is_in_the_document(app, client):
    documented = {
        (path, method.upper())
        for path, operations in spec_paths(client).items()
        for method in operations
    }
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX) or rule.rule in NOT_OPERATIONS:
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (path, method) not in documented:
                missing.append(f"{method} {path}")
    assert missing == []


def test_a_route_added_outside_the_api_blueprint_is_caught(app, client):
    # What the test above guards against: a route nobody documented.
    app.add_url_rule("/api/v1/undocumented", "undocumented", lambda: "")
    documented = set(spec_paths(client))
    assert "/api/v1/undocumented" not in documented
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert "/api/v1/undocumented" in rules - documented - NOT_OPERATIONS


def test_the_browsable_page_works_under_our_csp(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "GET /api/v1/subscribers" in html
    assert "<script" not in html  # nothing inline, nothing from elsewhere
    # Nothing from another host (the hreflang alternates are this site's own, absolute URLs).
    assert not re.search(r"""(src|href)=["']https?://(?!localhost/)""", html)
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_errors_under_the_api_are_problem_details(app, client):
    secret = admin_token(app)
    cases = {
        client.get("/api/v1/nowhere", headers=bearer(secret)): 404,
        client.put("/api/v1/lists", headers=bearer(secret)): 405,
        client.get("/api/v1/lists"): 401,
        client.get("/api/v1/subscribers?limit=0", headers=bearer(secret)): 422,
        client.get("/api/v1/subscribers?after=x", headers=bearer(secret)): 400,
        client.post("/api/v1/subscribers", data="{", content_type="application/json",
                    headers=bearer(secret)): 400,
    }
    for response, status in cases.items():
        assert response.status_code == status
        assert response.mimetype == "application/problem+json"
        body = response.get_json()
        assert body["status"] == status and body["title"]
    assert client.get("/api/v1/lists").headers["WWW-Authenticate"].startswith("Bearer")


def test_pages_outside_the_api_keep_their_html_error_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
