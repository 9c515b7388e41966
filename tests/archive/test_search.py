"""Search finds words in subjects, bodies and published comments, on SQLite and PostgreSQL."""

from datetime import UTC, datetime

import pytest

from listserve.archive import moderation
from listserve.archive.models import Post
from listserve.archive.search import search_archive
from listserve.extensions import db
from tests.archive.helpers import add_comment, make_post


@pytest.fixture
def archive(app):
    with app.app_context():
        launch = make_post("Announcing the launch!", "A network of **cooperatives** and unions.",
                           when=datetime(2026, 7, 27, tzinfo=UTC))
        forum = make_post("Forum report", "Notes from the social forum track.",
                          when=datetime(2026, 8, 3, tzinfo=UTC))
        add_comment(launch, "I still don't understand exactly what the solidarity economy is.")
        rude = add_comment(forum, "Something about marmalade.")
        moderation.hide_comment(rude)
        db.session.commit()
        yield {"launch": launch.id, "forum": forum.id}


def found(query):
    return [hit.post.id for hit in search_archive(query).hits]


def test_a_word_from_a_body_finds_its_post(app, archive):
    with app.app_context():
        assert found("cooperatives") == [archive["launch"]]
        assert found("cooperative") == [archive["launch"]]  # stemmed
        hit = search_archive("cooperatives").hits[0]
        assert "<mark>cooperatives</mark>" in hit.excerpt


def test_a_word_from_a_comment_finds_its_post_with_the_comment(app, archive):
    with app.app_context():
        assert found("understand solidarity") == [archive["launch"]]
        (hit,) = search_archive("understand").hits
        assert hit.comments[0].author_name == "Reader"
        assert "<mark>understand</mark>" in hit.comments[0].excerpt


def test_subjects_match_and_every_word_must_match(app, archive):
    with app.app_context():
        assert found("forum") == [archive["forum"]]
        assert found("forum cooperatives") == []


def test_hidden_comments_are_not_searchable(app, archive):
    with app.app_context():
        assert found("marmalade") == []


def test_results_are_newest_first(app, archive):
    with app.app_context():
        add_comment(db.session.get(Post, archive["forum"]), "More on cooperatives.")
        db.session.commit()
        assert found("cooperatives") == [archive["forum"], archive["launch"]]


@pytest.mark.parametrize("query", [
    '"', "'", "cooperatives\"", "AND", "OR NOT", "NEAR(a b)", "*", "a*", "-x", "subject:forum",
    "^", "(", "{}", "\\", "%", "_", "\x00", "!!!", "&|!", "<script>", "a" * 300, "",
])
def test_whatever_people_type_never_raises(app, archive, client, query):
    with app.app_context():
        search_archive(query)
    response = client.get("/archive/announcements/search", query_string={"q": query})
    assert response.status_code == 200


def test_the_search_page_shows_hits_and_escapes_the_query(app, archive, client):
    html = client.get("/archive/announcements/search?q=%3Cunderstand%3E").get_data(as_text=True)
    assert "1 announcement found" in html and "Announcing the launch!" in html
    assert "<mark>understand</mark>" in html
    assert 'value="&lt;understand&gt;"' in html
