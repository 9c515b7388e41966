"""Every public list has its archive, search and feed at /archive/<list>/…; the addresses of
the single archive before (in mails sent, feed readers, bookmarks) move there for good (301)."""

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from listserve.archive.services import publish_post
from listserve.core.rendering import render_announcement_html
from listserve.extensions import db
from tests.subscriptions.lists_helpers import make_list

ATOM = "{http://www.w3.org/2005/Atom}"


def post_to(app, list_id, subject, body, day):
    with app.app_context():
        post = publish_post(subject=subject, body_markdown=body,
                            body_html=render_announcement_html(body), list_id=list_id,
                            published_at=datetime(2026, 7, day, 12, tzinfo=UTC))
        db.session.commit()
        return post.year, post.slug


def test_each_list_has_its_archive_search_and_feed(app, client):
    garden = make_list(app, "garden", "Garden group")
    post_to(app, None, "Launch of the network", "Seeds and solidarity.", 1)
    post_to(app, garden, "Tomato planting day", "Seeds for the tomato beds.", 2)

    main_page = client.get("/archive/announcements/").get_data(as_text=True)
    assert "Launch of the network" in main_page and "Tomato planting day" not in main_page
    garden_page = client.get("/archive/garden/").get_data(as_text=True)
    assert "Tomato planting day" in garden_page and "Launch of the network" not in garden_page
    assert 'href="/archive/garden/2026/tomato-planting-day"' in garden_page

    found = client.get("/archive/garden/search?q=seeds").get_data(as_text=True)
    assert "Tomato planting day" in found and "Launch of the network" not in found
    assert "1 announcement found" in found
    found = client.get("/archive/announcements/search?q=seeds").get_data(as_text=True)
    assert "Launch of the network" in found and "Tomato planting day" not in found

    feed = ET.fromstring(client.get("/archive/garden/feed.atom").data)
    assert [e.find(f"{ATOM}title").text for e in feed.iter(f"{ATOM}entry")] == [
        "Tomato planting day"]
    assert "Garden group" in feed.find(f"{ATOM}title").text
    [link] = [e.find(f"{ATOM}link").get("href") for e in feed.iter(f"{ATOM}entry")]
    assert link == "http://localhost/archive/garden/2026/tomato-planting-day"
    page = client.get("/archive/garden/2026/tomato-planting-day")
    assert page.status_code == 200 and "Seeds for the tomato beds." in page.get_data(as_text=True)


def test_old_addresses_move_for_good_to_the_lists_archive(app, client):
    garden = make_list(app, "garden", "Garden group")
    post_to(app, None, "Launch of the network", "Hello.", 1)
    post_to(app, garden, "Tomato planting day", "Seeds.", 2)
    moved = {
        "/archive": "/archive/announcements/",
        "/archive?page=2": "/archive/announcements/?page=2",
        "/archive/search?q=seeds": "/archive/announcements/search?q=seeds",
        "/archive/feed.atom": "/archive/announcements/feed.atom",
        "/archive/2026/launch-of-the-network": "/archive/announcements/2026/launch-of-the-network",
        "/archive/2026/tomato-planting-day": "/archive/garden/2026/tomato-planting-day",
        "/archive/2026/launch-of-the-network?reply_to=3":
            "/archive/announcements/2026/launch-of-the-network?reply_to=3",
    }
    for old, new in moved.items():
        response = client.get(old)
        assert response.status_code == 301, old
        assert response.headers["Location"] == new, old
    # The main feed keeps its id, and every entry the id it had, so readers see nothing twice.
    feed = ET.fromstring(client.get("/archive/announcements/feed.atom").data)
    assert feed.find(f"{ATOM}id").text == "http://localhost/archive"
    [entry] = feed.iter(f"{ATOM}entry")
    assert entry.find(f"{ATOM}id").text == "http://localhost/archive/2026/launch-of-the-network"


def test_unknown_hidden_and_mismatched_archives_are_404(app, client):
    make_list(app, "secret", "Hidden group", public=False)
    post_to(app, None, "Launch of the network", "Hello.", 1)
    assert client.get("/archive/nope/").status_code == 404
    assert client.get("/archive/secret/").status_code == 404
    assert client.get("/archive/secret/search?q=x").status_code == 404
    assert client.get("/archive/secret/feed.atom").status_code == 404
    assert client.get("/archive/secret/2026/launch-of-the-network").status_code == 404
    assert client.get("/archive/2026/no-such-post").status_code == 404
    assert client.get("/archive/" + "x" * 5000 + "/").status_code == 404


def test_numbers_beyond_any_database_integer_are_404_or_the_last_page(app, client):
    post_to(app, None, "Launch of the network", "Hello.", 1)
    huge = "9" * 30
    assert client.get(f"/archive/{huge}/launch").status_code == 404
    assert client.get(f"/archive/announcements/{huge}/launch").status_code == 404
    assert client.get(f"/archive/announcements/?page={huge}").status_code == 200
    assert client.get(f"/archive/announcements/search?q=hello&page={huge}").status_code == 200
    assert client.get("/archive/announcements/?page=-5").status_code == 200
