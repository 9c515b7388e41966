"""Journey 4: a committee admin publishes a held comment and deletes a spam one from the
moderation queue, then imports a small CSV file of people who signed a sheet."""

import pytest

from listserve.archive.models import CommentStatus
from listserve.extensions import db
from tests.archive.helpers import add_comment, make_post
from tests.browser.harness import PointerUser
from tests.browser.live_server import wait_for_mail
from tests.browser.steps import comment_statuses, log_in, post_path
from tests.committee.helpers import make_member

ADMIN = "ines@example.org"
SUBJECT = "Notes from the first assembly"
GOOD = "I can host the **May meeting** in our co-op's back room."
SPAM = "Cheap watches at example.com"
SIGN_UP_SHEET = (
    b"email,name\n"
    b"lena@example.net,Lena Fischer\n"
    b"omar@example.net,Omar Haddad\n"
    b"not-an-address,Someone Smudged\n"
    b"LENA@example.net,Lena F.\n"
)


@pytest.fixture
def held_comments(app):
    with app.app_context():
        post = make_post(subject=SUBJECT, body="What we agreed.")
        add_comment(post, GOOD, name="Bea", email="bea@example.org", status=CommentStatus.HELD)
        add_comment(post, SPAM, name="Watches", email="spam@example.com",
                    status=CommentStatus.HELD)
        db.session.commit()
        path = post_path(post)
        db.session.remove()
    return path


def test_admin_moderates_held_comments_and_imports_a_csv(browse, app, smtp_sink, held_comments):
    make_member(app, ADMIN, "Inês", role="admin")
    journey = browse(who="admin")
    person = PointerUser(journey.page)
    log_in(journey, person, ADMIN)

    person.follow("Comments")
    page = journey.check("moderation-queue")
    assert journey.heading() == "Comments to moderate"
    good = page.locator("li", has_text="Bea")
    assert good.locator("strong", has_text="May meeting").is_visible()
    with page.expect_navigation():
        good.get_by_role("button", name="Approve").click()
    journey.check("comment-approved")
    assert page.get_by_text("Comment published.").is_visible()
    with page.expect_navigation():
        page.locator("li", has_text="Watches").get_by_role("button", name="Delete").click()
    journey.check("spam-deleted")
    assert page.get_by_text("Nothing is waiting.").is_visible()
    assert comment_statuses(app) == {GOOD: "published"}  # a spam never shown leaves no trace

    journey.open(held_comments, "post-with-the-approved-comment")
    comments = page.locator("#comments")
    assert comments.locator("strong", has_text="May meeting").is_visible()
    assert SPAM not in comments.inner_text()

    journey.open("/committee/", "committee-home")
    person.follow("Subscribers")
    journey.check("subscribers")
    person.follow("Import a CSV file")
    journey.check("import")
    page.set_input_files("#file", {"name": "sign-up-sheet.csv", "mimeType": "text/csv",
                                   "buffer": SIGN_UP_SHEET})
    person.fill("consent_source", "Sign-up sheet, assembly of 12 May")
    person.press_button("Import")
    journey.check("import-finished")
    assert journey.heading() == "Import finished"
    figures = dict(zip(page.locator("dl.counts dt").all_inner_texts(),
                       page.locator("dl.counts dd").all_inner_texts(), strict=True))
    assert figures["Lines read"] == "4"
    assert figures["Added"] == "2"
    assert figures["Duplicates merged"] == "1"
    assert figures["Not imported: invalid"] == "1"
    assert figures["Confirmation mails queued"] == "2"
    assert page.locator("table tbody tr td").first.inner_text() == "4"  # the smudged line

    for address in ("lena@example.net", "omar@example.net"):
        [confirmation] = wait_for_mail(smtp_sink, address)
        assert "/confirm/" in confirmation.link_to("/confirm/")
    person.follow("Back to the subscribers")
    journey.check("subscribers-after-import")
    table = page.locator("table tbody")
    assert table.locator("tr", has_text="lena@example.net").locator("td").nth(3).inner_text() \
        == "pending"
    assert table.locator("tr", has_text="omar@example.net").is_visible()
