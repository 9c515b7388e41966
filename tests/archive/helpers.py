"""Factories and browser steps for the archive's tests."""

from datetime import UTC, datetime

import sqlalchemy as sa

from listserve.archive.models import Comment, Commenter, CommentStatus, Post
from listserve.archive.services import publish_post
from listserve.core.rendering import render_announcement_html, render_comment_html
from listserve.extensions import db
from tests.support import csrf_token


def make_post(subject="Announcing the launch!", body="We are **excited**.", when=None) -> Post:
    """A published post (inside an app context); committed."""
    post = publish_post(
        subject=subject,
        body_markdown=body,
        body_html=render_announcement_html(body),
        published_at=when or datetime(2026, 7, 27, 12, tzinfo=UTC),
    )
    db.session.commit()
    return post


def add_comment(post, body, *, name="Reader", email="reader@example.org", parent=None,
                status=CommentStatus.PUBLISHED) -> Comment:
    """A comment stored directly, as if its author had already proven the address."""
    key = email.lower()
    commenter = db.session.scalar(sa.select(Commenter).filter_by(email_key=key))
    if commenter is None:
        commenter = Commenter(email=email, email_key=key)
        db.session.add(commenter)
    comment = Comment(post=post, parent=parent, commenter=commenter, author_name=name,
                      body_markdown=body, body_html=render_comment_html(body), status=status)
    db.session.add(comment)
    db.session.flush()
    return comment


def page_url(post) -> str:
    return f"/archive/announcements/{post.year}/{post.slug}"


def write_comment(client, url, *, name="Ana", email="ana@example.org", body="Congratulations!",
                  expect=303, **extra):
    """Fill in the comment form under a post as a reader does, send it, check the status."""
    page = client.get(url)
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "name": name,
            "email": email, "body": body, **extra}
    response = client.post(f"{url}/comments", data=data)
    assert response.status_code == expect, (response.status_code, body)
    return response


def verification_link(smtp_sink, deliver, email) -> str:
    deliver()
    mails = smtp_sink.to(email)
    assert mails, f"no mail to {email}"
    return mails[-1].link_to("/archive/comments/verify/")


def press(client, url):
    """Open a page that shows one button, and press it."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True))})


def become_verified_reader(client, smtp_sink, deliver, url, email="ana@example.org",
                           name="Ana", body="Hello from a verified reader."):
    """Comment once and press the button in the verification mail, as a new reader does."""
    write_comment(client, url, name=name, email=email, body=body)
    response = press(client, verification_link(smtp_sink, deliver, email))
    assert response.status_code == 200
    return response
