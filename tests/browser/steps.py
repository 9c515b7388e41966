"""State the journeys start from, made through the services (the live server shares the test
database), and the steps several journeys take in the browser."""

import sqlalchemy as sa

from listserve.archive.models import Comment, Post
from listserve.extensions import db
from listserve.subscriptions.confirming import confirm_subscription, confirmation_link
from listserve.subscriptions.services import Request, request_subscription
from tests.committee.helpers import PASSWORD


def confirmed_subscribers(app, addresses: list[str]) -> None:
    """People who asked to join and pressed the button in their confirmation mail."""
    with app.app_context():
        for address in addresses:
            subscription = request_subscription(address, "", Request(source="browser test"))
            db.session.flush()
            confirm_subscription(confirmation_link(subscription).rsplit("/", 1)[1])
        db.session.commit()


def log_in(journey, person, email: str, password: str = PASSWORD) -> None:
    """Log in through the committee's form, with the pointer or the keyboard alone."""
    journey.open("/committee/login", "login")
    person.fill("email", email)
    person.fill("password", password)
    person.press_button("Log in")
    journey.check("announcements")
    assert journey.heading() == "Announcements"


def post_titled(app, subject: str) -> Post:
    with app.app_context():
        post = db.session.scalar(sa.select(Post).filter_by(subject=subject))
        assert post is not None, f"no archive post for {subject!r}"
        db.session.expunge(post)
        return post


def post_path(post: Post) -> str:
    return f"/archive/{post.year}/{post.slug}"


def comment_statuses(app) -> dict[str, str]:
    """Each comment's text as typed, and its status."""
    with app.app_context():
        return dict(db.session.execute(sa.select(Comment.body_markdown, Comment.status)).all())


def wait_until(journey, what: str, predicate: str, timeout: float = 20_000) -> None:
    """Wait until a JavaScript predicate holds in the page; fail saying `what` otherwise."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        journey.page.wait_for_function(predicate, timeout=timeout)
    except PlaywrightTimeout:
        raise AssertionError(f"{what} did not happen within {timeout / 1000:.0f} s; "
                             f"the server said:\n{journey.server_log()}") from None
