"""A commenter who ticks the box hears of replies, and can stop with one button."""

import sqlalchemy as sa

from listserve.archive.models import Comment
from listserve.extensions import db
from tests.archive.helpers import become_verified_reader, make_post, page_url, press, write_comment


def test_replies_are_mailed_until_the_commenter_stops_them(app, smtp_sink, deliver):
    with app.app_context():
        url = page_url(make_post())
    ana, ben = app.test_client(), app.test_client()
    become_verified_reader(ana, smtp_sink, deliver, url, body="What is it exactly?",
                           email="ana@example.org")
    with app.app_context():
        top = db.session.scalar(sa.select(Comment.id))
    write_comment(ana, url, body="Tell me when someone answers.", notify_replies="y")
    with app.app_context():
        asked = db.session.scalar(sa.select(Comment.id).where(Comment.notify_replies))
    assert asked != top
    become_verified_reader(ben, smtp_sink, deliver, url, name="Ben", email="ben@example.org",
                           body="An answer to the first.")
    smtp_sink.clear()

    write_comment(ben, url, name="Ben", email="ben@example.org", body="Not to that one.",
                  parent_id=top)
    write_comment(ben, url, name="Ben", email="ben@example.org",
                  body="It is *people* meeting needs together.", parent_id=asked)
    write_comment(ana, url, body="Answering myself.", parent_id=asked)
    deliver()
    mails = smtp_sink.to("ana@example.org")
    assert len(mails) == 1  # only Ben's reply to the comment that asked
    notice = mails[0]
    assert "Ben replied to your comment" in notice.text
    assert "It is *people* meeting needs together." in notice.text
    assert "ben@example.org" not in notice.text
    stop = notice.link_to("/archive/comments/replies/stop/")

    assert "Stop reply notices" in ana.get(stop).get_data(as_text=True)
    assert press(app.test_client(), stop).status_code == 200
    smtp_sink.clear()
    write_comment(ben, url, name="Ben", email="ben@example.org", body="Another.",
                  parent_id=asked)
    deliver()
    assert smtp_sink.to("ana@example.org") == []


def test_a_forged_stop_link_is_refused(app, client):
    assert client.get("/archive/comments/replies/stop/WzFd.forged").status_code == 404
