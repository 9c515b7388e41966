from datetime import UTC, datetime

from listserve.archive.services import post_url, publish_post
from listserve.core.rendering import render_announcement_html
from listserve.extensions import db


def test_published_post_has_a_permanent_page(app, client):
    with app.app_context():
        when = datetime(2026, 7, 27, 12, tzinfo=UTC)
        body = "We are **excited** to announce the launch.<script>x()</script>"
        first = publish_post(subject="Announcing the launch!", body_markdown=body,
                             body_html=render_announcement_html(body), published_at=when)
        second = publish_post(subject="Announcing the launch!", body_markdown="Again",
                              body_html="<p>Again</p>", published_at=when)
        db.session.commit()
        assert (first.year, first.slug) == (2026, "announcing-the-launch")
        assert second.slug == "announcing-the-launch-2"
        assert post_url(first) == "http://localhost/archive/announcements/2026/announcing-the-launch"
    page = client.get("/archive/announcements/2026/announcing-the-launch")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<strong>excited</strong>" in html
    assert "<script>x()" not in html
    canonical = "http://localhost/archive/announcements/2026/announcing-the-launch"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert client.get("/archive/announcements/2026/no-such-post").status_code == 404
