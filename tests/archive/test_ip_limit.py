"""Comments are rate-limited per IP address; the refusal keeps what was typed."""

import pytest

from tests.archive.helpers import make_post, page_url, write_comment


@pytest.fixture
def app_config(app_config):
    return {**app_config, "COMMENT_RATE_LIMIT": "2 per minute"}


def test_too_many_comments_from_one_ip_get_a_429_with_the_form_kept(app, client):
    with app.app_context():
        url = page_url(make_post())
    for n in range(2):
        assert write_comment(client, url, email=f"r{n}@example.org").status_code == 303
    refused = write_comment(client, url, name="Carla", email="carla@example.org",
                            body="Typed with care, not lost.", expect=429)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    html = refused.get_data(as_text=True)
    assert "Too many comments" in html
    assert "Typed with care, not lost." in html and 'value="carla@example.org"' in html
