"""The archive list, the post page and the feed, and how many SQL queries they cost."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

from sqlalchemy import event

from listserve.archive.models import CommentStatus
from listserve.extensions import db
from tests.archive.helpers import add_comment, make_post, page_url

ATOM = "{http://www.w3.org/2005/Atom}"
START = datetime(2026, 1, 5, 9, tzinfo=UTC)


@contextmanager
def counted_queries(app):
    """Every statement the app sends to the database while the block runs."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def make_posts(app, n, comments_each=2):
    """n posts a week apart from START, each with a few comments."""
    with app.app_context():
        for i in range(n):
            post = make_post(f"Announcement {i}", f"Body {i}", when=START + timedelta(weeks=i))
            for j in range(comments_each):
                add_comment(post, f"Comment {j} on {i}", email=f"r{j}@example.org")
        db.session.commit()


def test_the_archive_lists_posts_newest_first_grouped_by_month_with_pages(app, client):
    make_posts(app, 25)
    first = client.get("/archive/announcements/").get_data(as_text=True)
    assert first.index("Announcement 24") < first.index("Announcement 23")
    assert "Announcement 4<" not in first and "Announcement 5<" in first  # 20 a page
    assert first.count("<h2 id=\"month-") == len({(START + timedelta(weeks=i)).month
                                                   for i in range(5, 25)})
    assert "June 2026" in first and "2 comments" in first
    assert 'href="/archive/announcements/?page=2"' in first
    second = client.get("/archive/announcements/?page=2").get_data(as_text=True)
    assert "Announcement 4<" in second and "Announcement 5<" not in second
    assert "January 2026" in second and 'href="/archive/announcements/?page=1"' in second
    assert client.get("/archive/announcements/?page=99").status_code == 200


def test_a_post_page_links_to_its_neighbours_the_feed_and_its_canonical_url(app, client):
    make_posts(app, 3, comments_each=0)
    html = client.get("/archive/announcements/2026/announcement-1").get_data(as_text=True)
    assert '<a rel="prev" href="/archive/announcements/2026/announcement-0">' in html
    assert '<a rel="next" href="/archive/announcements/2026/announcement-2">' in html
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/archive/announcements/feed.atom"' in html
    canonical = "http://localhost/archive/announcements/2026/announcement-1"
    assert f'<link rel="canonical" href="{canonical}">' in html
    oldest = client.get("/archive/announcements/2026/announcement-0").get_data(as_text=True)
    assert 'rel="prev"' not in oldest


def test_the_feed_is_atom_with_full_content_newest_first(app, client):
    make_posts(app, 3, comments_each=0)
    with app.app_context():
        make_post("Tags & <entities>", "Body with **bold** & <script>x()</script>",
                  when=START + timedelta(weeks=10))
    response = client.get("/archive/announcements/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)  # noqa: S314 (our own output)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}").text
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/archive/announcements/feed.atom"
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles == ["Tags & <entities>", "Announcement 2", "Announcement 1", "Announcement 0"]
    newest = entries[0]
    for required in ("id", "title", "updated"):
        assert newest.find(f"{ATOM}{required}").text
    assert newest.find(f"{ATOM}link[@rel='alternate']").get("href") == (
        "http://localhost/archive/announcements/2026/tags-entities"
    )
    content = newest.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "<strong>bold</strong>" in content.text and "<script>" not in content.text
    assert feed.find(f"{ATOM}updated").text == newest.find(f"{ATOM}updated").text
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)


def test_the_archive_list_costs_a_fixed_number_of_queries(app, client):
    app.config["PAGE_CACHE_MEGABYTES"] = 0  # count what rendering costs, not the page cache
    make_posts(app, 2)
    with counted_queries(app) as few:
        assert client.get("/archive/announcements/").status_code == 200
    make_posts(app, 40, comments_each=5)
    with counted_queries(app) as many:
        assert client.get("/archive/announcements/").status_code == 200
    assert len(many) == len(few) <= 4, many


def test_a_post_with_500_comments_costs_a_fixed_number_of_queries(app, client):
    app.config["PAGE_CACHE_MEGABYTES"] = 0  # count what rendering costs, not the page cache
    with app.app_context():
        make_post("Before", "b", when=START)
        small, big = make_post("Small", "s"), make_post("Big", "b")
        make_post("After", "a", when=START + timedelta(weeks=60))
        add_comment(small, "Just one.")
        tops = []
        for i in range(400):
            tops.append(add_comment(big, f"Comment {i}", name=f"Reader {i}",
                                    email=f"r{i % 50}@example.org"))
        for i in range(100):
            add_comment(big, f"Reply {i}", parent=tops[i], email="ben@example.org",
                        status=CommentStatus.HIDDEN if i % 10 == 0 else CommentStatus.PUBLISHED)
        db.session.commit()
        small_url, big_url = page_url(small), page_url(big)
    with counted_queries(app) as one:
        assert client.get(small_url).status_code == 200
    with counted_queries(app) as five_hundred:
        response = client.get(big_url)
    html = response.get_data(as_text=True)
    assert html.count('class="comment"') + html.count('class="comment comment-removed"') == 500
    assert "Reader 399" in html and "Reply 99" in html
    assert len(five_hundred) == len(one) <= 5, five_hundred
