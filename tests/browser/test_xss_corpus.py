"""The XSS corpus, typed into the real forms, never runs in Chromium: as readers' comments (the
verification page, the moderation queue, the post page, search results) and as an
announcement's draft (the editor's live preview, the draft page, the sent archive post and the
copy a subscriber gets).

The probe runs with the Content-Security-Policy switched off, so it tests escaping alone: with
the policy on, a payload that got through would be blocked (and reported) instead of running.
"""

from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from listserve.announcements.models import Announcement
from listserve.announcements.services import approve_revision
from listserve.archive.models import Comment, CommentStatus
from listserve.archive.moderation import approve_comment
from listserve.committee.services import member_by_email
from listserve.core.lists import get_default_list
from listserve.extensions import db
from tests.archive.helpers import make_post
from tests.browser.harness import read_payloads
from tests.browser.live_server import wait_for_mail
from tests.browser.steps import PASSWORD, confirmed_subscribers, post_path
from tests.committee.helpers import make_member

PAYLOADS = read_payloads(Path(__file__).with_name("xss_payloads.txt"))
READER = "probe@example.org"
AUTHOR, REVIEWER, SUBSCRIBER = "rosa@example.org", "kofi@example.org", "ada@example.net"


def tagged(number: int, payload: str) -> str:
    """A payload with a word of its own, so a search finds exactly its comment."""
    return f"corpus{number:03d} {payload}"


def test_the_corpus_is_big_enough():
    assert len(PAYLOADS) >= 50


def log_in_probe(probe, url: str, email: str) -> None:
    page = probe.page
    page.goto(url + "/committee/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert page.locator("h1").inner_text() == "Announcements"


def assert_nothing_ran(probe, where: str) -> None:
    assert not probe.script_ran(), f"injected script ran on {where}: {probe.page.url}"


# --- comments ------------------------------------------------------------------------------

@pytest.fixture
def post_held_for_review(app):
    """A post on a list where the committee reads every comment before it is shown."""
    with app.app_context():
        get_default_list().comment_policy = "all_held"
        path = post_path(make_post(subject="Comments welcome"))
        db.session.remove()
    make_member(app, AUTHOR, "Rosa")
    return path


def send_comment(page, name: str, body: str, outcome: str) -> None:
    page.fill("#name", name[:100])
    page.fill("#email", READER)
    page.fill("#body", body)
    with page.expect_navigation():
        page.get_by_role("button", name="Send comment").click()
    assert page.get_by_text(outcome).is_visible(), (body, page.url)


def approve_every_held_comment(app) -> None:
    with app.app_context():
        held = db.session.scalars(sa.select(Comment).filter_by(status=CommentStatus.HELD))
        for comment in held.all():
            approve_comment(comment)
        db.session.commit()


def test_comments_never_run_script(xss_probe, site, app, smtp_sink, post_held_for_review):
    probe = xss_probe(bypass_csp=True)
    page = probe.page
    page.goto(site.url + post_held_for_review)
    first, *others = [tagged(n, payload) for n, payload in enumerate(PAYLOADS)]
    send_comment(page, PAYLOADS[0], first, "Almost there: we sent you an email.")
    verification = wait_for_mail(smtp_sink, READER)[0]
    page.goto(verification.link_to("/archive/comments/verify/"))
    assert_nothing_ran(probe, "the verification page")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish my comment").click()
    assert_nothing_ran(probe, "the verified page")

    page.goto(site.url + post_held_for_review)
    for number, body in enumerate(others, start=1):
        send_comment(page, PAYLOADS[number], body, "your comment will appear once the committee")

    log_in_probe(probe, site.url, AUTHOR)
    page.goto(site.url + "/committee/comments")
    assert page.locator("ol.moderation-queue > li").count() == len(PAYLOADS)
    assert_nothing_ran(probe, "the moderation queue")

    approve_every_held_comment(app)
    page.goto(site.url + post_held_for_review)
    assert page.locator("article.comment").count() == len(PAYLOADS)
    assert "<script>__xssHit()</script>" in page.locator("#comments").inner_text()  # as text
    assert_nothing_ran(probe, "the post page")

    for number, payload in enumerate(PAYLOADS):
        # The comment's own word finds it, with its excerpt highlighted ...
        page.goto(site.url + "/archive/search?" + urlencode({"q": f"corpus{number:03d}"}))
        assert page.get_by_text("1 announcement found.").is_visible(), payload
        assert_nothing_ran(probe, f"the search results for comment {number}")
        # ... and the payload typed as a query is shown back, in the title and the field.
        page.goto(site.url + "/archive/search?" + urlencode({"q": payload}))
        assert page.input_value("#q") == payload
        assert_nothing_ran(probe, f"the search for payload {number}")


# --- an announcement's draft ----------------------------------------------------------------

SUBJECT = "<img src=x onerror=__xssHit()> Assembly news"


def draft_body() -> str:
    return "\n\n".join(PAYLOADS) + "\n"


def approve_as_reviewer(app, subject: str) -> None:
    with app.test_request_context():
        announcement = db.session.scalar(sa.select(Announcement))
        assert announcement.current_revision.subject == subject
        approve_revision(announcement, member_by_email(REVIEWER),
                         announcement.current_revision.content_hash)
        db.session.commit()


def preview_shows_the_payloads_as_text(page) -> None:
    frame = page.locator("iframe.preview-html")
    assert frame.get_attribute("sandbox") == ""  # no allow-scripts, no allow-same-origin
    text = page.frame_locator("iframe.preview-html").locator("body").inner_text()
    assert "<script>__xssHit()</script>" in text


def test_a_draft_never_runs_script(xss_probe, site, app, smtp_sink):
    make_member(app, AUTHOR, "Rosa")
    make_member(app, REVIEWER, "Kofi")
    confirmed_subscribers(app, [SUBSCRIBER])
    probe = xss_probe(bypass_csp=True)
    page = probe.page
    log_in_probe(probe, site.url, AUTHOR)

    page.goto(site.url + "/committee/announcements/new")
    page.fill("#subject", SUBJECT)
    page.fill("#body", draft_body())
    page.fill("#next_steps", "\n".join(f"- {payload}" for payload in PAYLOADS[:20]))
    page.wait_for_function(  # the live preview has caught up with the typing
        "(subject) => document.querySelector('[data-preview=\"subject\"]').textContent"
        " === subject", arg=SUBJECT)
    preview_shows_the_payloads_as_text(page)
    assert_nothing_ran(probe, "the live preview")
    with page.expect_navigation():
        page.get_by_role("button", name="Preview", exact=True).click()  # the same, server-side
    preview_shows_the_payloads_as_text(page)
    assert_nothing_ran(probe, "the preview without JavaScript")

    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    preview_shows_the_payloads_as_text(page)
    assert_nothing_ran(probe, "the draft's page")
    page.goto(site.url + "/committee/announcements/")
    assert_nothing_ran(probe, "the list of announcements")

    approve_as_reviewer(app, SUBJECT)
    page.goto(site.url + "/committee/announcements/1")
    with page.expect_navigation():
        page.get_by_role("button", name="Send now to every subscriber").click()
    assert_nothing_ran(probe, "the sending page")

    [copy] = [mail for mail in wait_for_mail(smtp_sink, SUBSCRIBER, count=3)
              if mail.message["Subject"] == SUBJECT]
    page.goto(site.url + "/archive")
    assert_nothing_ran(probe, "the archive's list")
    with page.expect_navigation():
        page.get_by_role("link", name=SUBJECT).click()
    assert page.locator("h1").inner_text() == SUBJECT
    assert_nothing_ran(probe, "the sent announcement in the archive")
    page.set_content(copy.html)  # as a webmail that shows HTML as sent would
    assert_nothing_ran(probe, "the HTML copy a subscriber got")
