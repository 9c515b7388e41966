"""Journey 3: a reader opens a post in the archive, comments, proves the address from the mail,
sees the comment published, then searches the archive and finds it — with a mouse, with the
keyboard alone, and with JavaScript turned off."""

import pytest

from listserve.extensions import db
from tests.archive.helpers import make_post
from tests.browser.harness import KeyboardUser, PointerUser
from tests.browser.live_server import wait_for_mail
from tests.browser.steps import comment_statuses

SUBJECT = "Announcing the launch of the network"
READER = "ana@example.org"
COMMENT = "Count me in for the *cooperative bakery* working group."


@pytest.fixture
def launch_post(app):
    with app.app_context():
        # Long enough that the comment form sits far below the first screen.
        body = "We are **excited** to begin.\n\n" + "\n\n".join(
            f"Paragraph {n} of what the network means to do." for n in range(60))
        make_post(subject=SUBJECT, body=body)
        make_post(subject="A quieter second post", body="Nothing about bread here.")
        db.session.remove()


@pytest.mark.parametrize("way", ["pointer", "keyboard", "no-javascript"])
def test_reader_comments_verifies_and_finds_the_comment(browse, app, smtp_sink, launch_post,
                                                        way):
    journey = browse(javascript=way != "no-javascript")
    person = KeyboardUser(journey.page) if way == "keyboard" else PointerUser(journey.page)
    page = journey.open("/archive", "archive")
    person.follow(SUBJECT)
    journey.check("post")
    assert journey.heading() == SUBJECT
    assert page.get_by_text("No comments yet.").is_visible()

    person.fill("name", "Ana Reader")
    person.fill("email", READER)
    person.fill("body", COMMENT)
    person.press_button("Send comment")
    page = journey.check("comment-sent")
    # The page opens at the comments (#comments), under the long post: the notice is there,
    # in view, not at the top of the page.
    from playwright.sync_api import expect

    expect(page.get_by_text("Almost there: we sent you an email.")).to_be_in_viewport()
    assert comment_statuses(app) == {COMMENT: "unverified"}

    verification = wait_for_mail(smtp_sink, READER)[0]
    journey.open(verification.link_to("/archive/comments/verify/"), "verify")
    assert page.locator("blockquote em", has_text="cooperative bakery").is_visible()
    person.press_button("Publish my comment")
    journey.check("verified")
    assert journey.heading() == "Thank you, your address is confirmed"
    assert comment_statuses(app) == {COMMENT: "published"}

    person.follow(f"Back to “{SUBJECT}”")
    journey.check("post-with-comment")
    comment = page.locator("article.comment", has_text="Ana Reader")
    assert comment.locator("em", has_text="cooperative bakery").is_visible()

    person.follow("Archive")
    journey.check("archive-again")
    assert page.get_by_text("1 comment").is_visible()
    person.fill("q", "bakery")
    person.press_button("Search")
    journey.check("search-results")
    assert page.get_by_text("1 announcement found.").is_visible()
    found = page.locator("ol.search-results li")
    assert found.get_by_role("link", name=SUBJECT).is_visible()
    person.follow("Ana Reader")
    journey.check("comment-from-search")
    assert page.url.endswith(f"#comment-{comment.get_attribute('id').split('-')[1]}")
