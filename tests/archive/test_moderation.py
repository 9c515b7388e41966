"""Committee moderation: approve, hide, delete, mark a spammer; the queue is not public."""

import sqlalchemy as sa

from listserve.archive import moderation
from listserve.archive.models import Comment, CommentStatus
from listserve.extensions import db
from tests.archive.helpers import (
    add_comment,
    become_verified_reader,
    make_post,
    page_url,
    verification_link,
    write_comment,
)
from tests.support import csrf_token


def test_approving_a_held_comment_publishes_it(app, client):
    with app.app_context():
        post = make_post()
        held = add_comment(post, "Held for reading.", status=CommentStatus.HELD)
        db.session.commit()
        assert moderation.held_comments() == [held]
        moderation.approve_comment(held)
        db.session.commit()
        assert moderation.held_comments() == []
        url = page_url(post)
    assert "Held for reading." in client.get(url).get_data(as_text=True)


def test_a_hidden_comment_says_so_in_place_and_its_replies_still_read(app, client):
    with app.app_context():
        post = make_post()
        rude = add_comment(post, "Something rude.", name="Troll")
        add_comment(post, "Please keep it civil.", name="Ana", email="ana@example.org",
                    parent=rude)
        moderation.hide_comment(rude)
        db.session.commit()
        url = page_url(post)
    html = client.get(url).get_data(as_text=True)
    assert "Something rude." not in html and "Troll" not in html
    hidden_at = html.index("hidden by the committee")
    assert hidden_at < html.index("Please keep it civil.")


def test_deleting_removes_the_text_and_keeps_a_place_only_for_replies(app, client):
    with app.app_context():
        post = make_post()
        alone = add_comment(post, "Nobody answered this.")
        answered = add_comment(post, "Somebody answered this.")
        add_comment(post, "The answer.", parent=answered, email="ben@example.org")
        moderation.delete_comment(alone)
        moderation.delete_comment(answered)
        db.session.commit()
        assert db.session.get(Comment, alone.id) is None
        kept = db.session.get(Comment, answered.id)
        assert (kept.status, kept.body_markdown, kept.author_name) == ("deleted", "", "")
        url = page_url(post)
    html = client.get(url).get_data(as_text=True)
    assert "Nobody answered" not in html and "Somebody answered" not in html
    assert "deleted by the committee" in html and "The answer." in html


def test_a_spammer_s_pending_and_future_comments_are_held(app, client, smtp_sink, deliver):
    with app.app_context():
        url = page_url(make_post())
    become_verified_reader(client, smtp_sink, deliver, url, email="spam@example.org",
                           body="Innocent at first.")
    other_browser = app.test_client()
    write_comment(other_browser, url, email="spam@example.org", body="Waiting for its mail.")
    with app.app_context():
        first = db.session.scalar(sa.select(Comment).order_by(Comment.id))
        assert moderation.mark_spammer(first.commenter) == 1
        db.session.commit()
    write_comment(client, url, email="spam@example.org", body="Buy cheap things.")
    link = verification_link(smtp_sink, deliver, "spam@example.org")
    assert other_browser.get(link).status_code == 404  # its pending comment is held now
    with app.app_context():
        held = [c.body_markdown for c in moderation.held_comments()]
    assert held == ["Waiting for its mail.", "Buy cheap things."]
    html = client.get(url).get_data(as_text=True)
    assert "Innocent at first." in html and "Buy cheap things." not in html


def test_the_moderation_queue_refuses_anyone_not_logged_in(app, client):
    with app.app_context():
        comment = add_comment(make_post(), "Held.", status=CommentStatus.HELD)
        db.session.commit()
        comment_id, url = comment.id, page_url(comment.post)
    page = client.get("/committee/comments")
    assert page.status_code == 302
    assert "/committee/login" in page.headers["Location"]
    token = csrf_token(client.get(url).get_data(as_text=True))  # a valid token of this session
    refused = client.post(f"/committee/comments/{comment_id}/approve", data={"csrf_token": token})
    assert refused.status_code == 401
    with app.app_context():
        assert db.session.get(Comment, comment_id).status == CommentStatus.HELD


def test_a_committee_member_approves_from_the_queue(app, client):
    from tests.committee.helpers import log_in, make_member

    with app.app_context():
        comment = add_comment(make_post(), "Held for review.", status=CommentStatus.HELD)
        db.session.commit()
        comment_id, url = comment.id, page_url(comment.post)
    make_member(app, "moderator@example.org")
    log_in(client, "moderator@example.org")
    queue = client.get("/committee/comments")
    assert queue.status_code == 200
    assert "Held for review." in queue.get_data(as_text=True)
    token = csrf_token(queue.get_data(as_text=True))
    client.post(f"/committee/comments/{comment_id}/approve", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(Comment, comment_id).status == CommentStatus.PUBLISHED
    assert "Held for review." in client.get(url).get_data(as_text=True)
