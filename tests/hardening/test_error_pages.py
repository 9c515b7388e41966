"""Every error a person can meet gets our own page, with the site around it and no traceback."""

import pytest
from flask import abort

from tests.subscriptions.helpers import subscribe


def assert_custom_page(response, code: int, heading: str):
    page = response.get_data(as_text=True)
    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert f"<h1>{heading}</h1>" in page
    assert 'class="site-header"' in page and "Go to the home page" in page
    assert "Traceback" not in page and "werkzeug" not in page.lower()


def test_400_when_a_form_comes_without_its_token(client):
    assert_custom_page(client.post("/subscribe", data={"email": "a@example.net"}), 400,
                       "That did not work")


def test_404_for_an_unknown_address(client):
    assert_custom_page(client.get("/no/such/page"), 404, "Page not found")


def test_405_for_a_wrong_method(client):
    assert_custom_page(client.delete("/subscribe"), 405, "That did not work")


def test_413_for_a_body_over_the_limit(app, client):
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/subscribe", data={"email": "a@example.net", "name": too_big})
    assert_custom_page(response, 413, "That did not work")
    assert "too large" in response.get_data(as_text=True)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SUBSCRIBE_RATE_LIMIT": "2 per minute"}


def test_429_keeps_the_typed_address(client):
    for _ in range(2):
        assert subscribe(client, "lee@example.net").status_code == 303
    response = subscribe(client, "lee@example.net")
    assert_custom_page(response, 429, "Please slow down")
    assert 'value="lee@example.net"' in response.get_data(as_text=True)
    # When to try again: within the minute the limit counts over.
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_403_page(app, client):
    app.add_url_rule("/test-only/forbidden", "forbidden", lambda: abort(403))
    assert_custom_page(client.get("/test-only/forbidden"), 403, "That did not work")


def test_500_page_hides_the_error(app, client):
    def broken_view():
        raise RuntimeError("secret detail from deep inside the code")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/test-only/broken", "broken", broken_view)
    response = client.get("/test-only/broken")
    assert_custom_page(response, 500, "Something went wrong")
    assert "secret detail" not in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"]
