"""Public pages are served from memory, yet every edit shows on the next request and no
visitor ever gets another visitor's token, messages or reader state."""

import pytest

from listserve import create_app
from listserve.archive import moderation
from listserve.archive.models import CommentStatus
from listserve.core.pagecache import TOKEN_PLACEHOLDER
from listserve.extensions import db
from listserve.public import editing
from listserve.public.services import set_page_text
from tests.archive.helpers import (
    add_comment,
    become_verified_reader,
    make_post,
    page_url,
    write_comment,
)
from tests.committee.helpers import log_in, make_member
from tests.support import csrf_token

PAGES = ["/", "/ecosystem", "/archive/announcements/", "/archive/announcements/feed.atom"]


def text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.get_data(as_text=True)
    assert TOKEN_PLACEHOLDER not in body
    return body


def test_an_aims_edit_shows_on_the_next_request(app, client):
    with app.app_context():
        editing.update_aims(None, ["Build the commons"])
        db.session.commit()
    assert "Build the commons" in text(client, "/")
    with app.app_context():
        editing.update_aims(None, ["Share the tools"])
        set_page_text("home_welcome", "Welcome, neighbours.")
        db.session.commit()
    home = text(client, "/")
    assert "Share the tools" in home and "Build the commons" not in home
    assert "Welcome, neighbours." in home


def test_an_edit_by_a_committee_member_shows_to_visitors_at_once(app, client, post_form):
    visitor = app.test_client()
    before = text(visitor, "/")
    assert "Mutual aid first" not in before
    make_member(app, "ana@example.org", name="Ana")
    log_in(client, "ana@example.org")
    post_form("/committee/pages/aims", {"aims": "Mutual aid first"})
    assert "Mutual aid first" in text(visitor, "/")


def test_a_new_post_shows_in_the_list_the_feed_and_its_neighbour(app, client):
    with app.app_context():
        first = make_post("First news", "one")
        first_url = page_url(first)
    for url in ("/archive/announcements/", "/archive/announcements/feed.atom", first_url):
        text(client, url)  # now kept in memory
    with app.app_context():
        from datetime import UTC, datetime

        make_post("Second news", "two", when=datetime(2026, 8, 1, tzinfo=UTC))
    assert "Second news" in text(client, "/archive/announcements/")
    assert "Second news" in text(client, "/archive/announcements/feed.atom")
    assert "Second news" in text(client, first_url)  # the "next" link


def test_published_hidden_and_deleted_comments_show_at_once(app, client):
    with app.app_context():
        post = make_post()
        url = page_url(post)
        comment = add_comment(post, "Held for reading.", status=CommentStatus.HELD)
        db.session.commit()
        comment_id = comment.id
    assert "Held for reading." not in text(client, url)
    assert "1 comment" not in text(client, "/archive/announcements/")
    with app.app_context():
        moderation.approve_comment(moderation.get_comment(comment_id))
        db.session.commit()
    assert "Held for reading." in text(client, url)
    assert "1 comment" in text(client, "/archive/announcements/")
    with app.app_context():
        moderation.hide_comment(moderation.get_comment(comment_id))
        db.session.commit()
    page = text(client, url)
    assert "Held for reading." not in page and "hidden by the committee" in page
    with app.app_context():
        moderation.delete_comment(moderation.get_comment(comment_id))
        db.session.commit()
    assert "hidden by the committee" not in text(client, url)


def test_a_comment_published_through_the_form_shows_to_everyone(app, client, smtp_sink,
                                                                 deliver):
    with app.app_context():
        url = page_url(make_post())
    other = app.test_client()
    assert "No comments yet" in text(other, url)
    become_verified_reader(client, smtp_sink, deliver, url, body="First thoughts.")
    assert "First thoughts." in text(other, url)


def test_two_visitors_never_share_a_token(app):
    with app.app_context():
        url = page_url(make_post())
    for page in [*PAGES[:3], url]:
        ana, ben = app.test_client(), app.test_client()
        ana_token, ben_token = csrf_token(text(ana, page)), csrf_token(text(ben, page))
        assert ana_token != ben_token
        # Each token works for its own visitor only.
        assert ana.post("/subscribe", data={"csrf_token": ben_token,
                                            "email": "ana@example.org"}).status_code == 400
        assert ana.post("/subscribe", data={"csrf_token": ana_token,
                                            "email": "ana@example.org"}).status_code == 303


def test_a_visitor_s_cookie_is_not_written_again_on_every_page(app, client):
    first = client.get("/archive/announcements/")
    assert "session=" in first.headers.get("Set-Cookie", "")
    for page in PAGES:
        client.get(page)  # Flask-Login may add one mark to the session on a first visit
    for page in PAGES:
        assert "Set-Cookie" not in client.get(page).headers, page


def test_a_comment_form_token_from_a_kept_post_page_is_the_reader_s_own(app, client):
    with app.app_context():
        url = page_url(make_post())
    text(app.test_client(), url)  # someone else's visit renders and keeps the page
    write_comment(client, url, body="Sent with my own token.")


def test_flashed_messages_reach_only_their_visitor(app, client, smtp_sink, deliver):
    with app.app_context():
        url = page_url(make_post())
    other = app.test_client()
    text(other, url)
    response = write_comment(client, url, body="Waiting to be verified.")
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "we sent you an email" in after
    assert "we sent you an email" not in text(other, url)
    assert "we sent you an email" not in text(client, url)  # shown once


def test_a_verified_reader_s_state_stays_with_that_reader(app, client, smtp_sink, deliver):
    with app.app_context():
        url = page_url(make_post())
    become_verified_reader(client, smtp_sink, deliver, url, email="ana@example.org")
    other = app.test_client()
    visit = other.get(url)
    assert "verified_reader" not in visit.headers.get("Set-Cookie", "")
    # The same address from another browser still has to prove itself.
    response = write_comment(other, url, email="ana@example.org", body="From elsewhere.")
    landing = other.get(response.headers["Location"]).get_data(as_text=True)
    assert "we sent you an email" in landing
    assert "From elsewhere." not in text(app.test_client(), url)
    # While the verified reader's next comment is published at once.
    response = write_comment(client, url, email="ana@example.org", body="From home.")
    assert "From home." in text(app.test_client(), url)


def test_a_logged_in_member_gets_pages_rendered_for_them(app, client):
    make_member(app, "ana@example.org", name="Ana")
    log_in(client, "ana@example.org")
    anonymous = app.test_client()
    for page in PAGES:
        assert text(client, page) and text(anonymous, page)


@pytest.fixture
def other_process(app_config):
    """A second app on the same database: what another web process or the worker does."""
    other = create_app(app_config)
    yield other
    with other.app_context():
        db.engine.dispose()


def test_a_change_made_by_another_process_shows_within_the_bound(app, client, other_process):
    app.config["PAGE_CACHE_CHECK_SECONDS"] = 0  # look at the version on every request
    assert "Cooperate widely" not in text(client, "/")
    with other_process.app_context():
        editing.update_aims(None, ["Cooperate widely"])
        db.session.commit()
    assert "Cooperate widely" in text(client, "/")


def test_missing_pages_are_not_kept(app, client):
    assert client.get("/archive/announcements/2026/no-such-post").status_code == 404
    with app.app_context():
        make_post("No such post", "now there is one")
    assert client.get("/archive/announcements/2026/no-such-post").status_code == 200


def test_pages_stay_right_when_the_cache_holds_less_than_a_page(app, client):
    app.config["PAGE_CACHE_MEGABYTES"] = 0.001  # about a kilobyte: every page is dropped
    with app.app_context():
        url = page_url(make_post("Small cache", "body"))
    for _ in range(2):
        assert "Small cache" in text(client, url)
        assert "Small cache" in text(client, "/archive/announcements/")
    token = csrf_token(text(client, "/ecosystem"))
    assert client.post("/subscribe", data={"csrf_token": token,
                                           "email": "ana@example.org"}).status_code == 303


def test_a_database_emptied_and_filled_again_never_brings_back_old_pages(app, client):
    """After a restore from backup (or the tests emptying every table) a counter would count
    the same numbers again, and the process would serve the pages it kept for them."""
    from tests.support import empty_all_tables

    with app.app_context():
        url = page_url(make_post("Same address", "The **first** text."))
    assert "<strong>first</strong>" in text(client, url)
    with app.app_context():
        empty_all_tables(db)
        make_post("Same address", "The **second** text.")
        make_post("Another post", "Filling the archive again.")
    page = text(client, url)
    assert "<strong>second</strong>" in page and "<strong>first</strong>" not in page
