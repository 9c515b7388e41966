"""Issue 20, item 12: committee addresses work with and without a trailing slash."""

from urllib.parse import urlsplit

import pytest

from tests.committee.helpers import log_in, make_member


@pytest.mark.parametrize("typed, lands_on", [
    ("/committee/comments/", "/committee/comments"),
    ("/committee/pages/aims/", "/committee/pages/aims"),
    ("/committee/announcements", "/committee/announcements/"),
    ("/committee/members/", "/committee/members"),
])
def test_the_other_slash_redirects_to_the_page(app, client, typed, lands_on):
    make_member(app, "ana@example.org", "Ana", role="admin")
    log_in(client, "ana@example.org")
    response = client.get(typed + "?page=2")
    assert response.status_code == 308
    moved = urlsplit(response.headers["Location"])
    assert (moved.path, moved.query) == (lands_on, "page=2")
    assert client.get(typed, follow_redirects=True).status_code == 200


def test_an_address_that_is_nowhere_still_gets_404(client):
    assert client.get("/committee/nothing-here/").status_code == 404
