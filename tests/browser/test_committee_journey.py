"""Journey 2: a committee member drafts an announcement watching the live preview, a second
member (keyboard alone) approves it, the author sends it and watches the progress reach
100 %, and every subscriber gets exactly one copy."""

from tests.browser.harness import KeyboardUser, PointerUser
from tests.browser.live_server import wait_for_mail
from tests.browser.steps import confirmed_subscribers, log_in, wait_until
from tests.committee.helpers import make_member

AUTHOR, REVIEWER = "rosa@example.org", "kofi@example.org"
SUBSCRIBERS = ["ada@example.net", "grace@example.net", "linus@example.net", "mae@example.net"]
SUBJECT = "The assembly meets on 12 May"
BODY = "Dear all,\n\nThe **first assembly** meets on 12 May. [Read the agenda](/archive).\n"


def test_a_draft_is_previewed_approved_sent_and_delivered_once(browse, app, smtp_sink):
    make_member(app, AUTHOR, "Rosa")
    make_member(app, REVIEWER, "Kofi")
    confirmed_subscribers(app, SUBSCRIBERS)

    author = browse(who="author")
    log_in(author, PointerUser(author.page), AUTHOR)
    draft_with_live_preview(author)
    author.page.get_by_role("button", name="Save", exact=True).click()
    author.page.wait_for_url("**/committee/announcements/*")
    page = author.check("draft-saved")
    assert author.heading() == SUBJECT
    assert page.get_by_text("0 of 1 approval needed for revision 1.").is_visible()
    assert page.get_by_text("You wrote this revision, so another member reviews it.").is_visible()

    approve_with_the_keyboard(browse(who="reviewer"))

    page = author.open(page.url, "approved-seen-by-author")
    assert page.get_by_text("1 of 1 approval needed for revision 1.").is_visible()
    assert page.get_by_text("Approved by Kofi").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Send now…").click()
    page = author.check("confirm-send")  # issue 20, item 2: it asks first, saying to whom
    assert page.get_by_text("4 subscribers", exact=True).is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Send to 4 subscribers").click()
    page = author.check("sending")
    assert page.get_by_text("Sending has started.").is_visible()
    wait_until(author, "progress reaching 100 %",
               "() => { const bar = document.querySelector('[data-progress=\"bar\"]');"
               " return bar.max === 4 && bar.value === 4; }")
    counts = dict(zip(page.locator("dl.counts dt").all_inner_texts(),
                      page.locator("dl.counts dd").all_inner_texts(), strict=True))
    assert (counts["Queued"], counts["Sent"], counts["Failed"], counts["Of"]) == ("0", "4", "0",
                                                                                  "4")
    assert counts["State"] == "finished"
    assert not page.get_by_role("button", name="Pause").is_visible()  # nothing left to pause
    author.check("sent-100-percent")

    for address in SUBSCRIBERS:
        copies = [mail for mail in wait_for_mail(smtp_sink, address, count=3)
                  if mail.message["Subject"] == SUBJECT]
        assert len(copies) == 1, (address, len(copies))
        assert "The **first assembly** meets on 12 May." in copies[0].text


def draft_with_live_preview(journey) -> None:
    page = journey.page
    with page.expect_navigation():
        page.get_by_role("link", name="Write an announcement").click()
    journey.check("new-draft")
    page.fill("#subject", SUBJECT)
    page.fill("#body", BODY)
    # The preview follows the typing: the subject above it, the HTML part in its frame.
    wait_until(journey, "the live preview showing the subject",
               f"() => document.querySelector('[data-preview=\"subject\"]').textContent"
               f" === {SUBJECT!r}")
    # Look at the preview as a person does: Chromium does not render a sandboxed (so
    # cross-origin) frame that is off screen, and its text has no box until it is seen.
    page.locator("iframe.preview-html").scroll_into_view_if_needed()
    frame = page.frame_locator("iframe.preview-html")
    frame.locator("strong", has_text="first assembly").wait_for()
    assert frame.get_by_role("link", name="Read the agenda").is_visible()
    text = page.locator("[data-preview='text']").inner_text()
    assert "The **first assembly** meets on 12 May." in text
    journey.check("draft-with-live-preview")


def approve_with_the_keyboard(journey) -> None:
    """The reviewer logs in, opens the draft and approves it with Tab and Enter alone."""
    person = KeyboardUser(journey.page, max_tabs=80)
    log_in(journey, person, REVIEWER)
    person.follow(SUBJECT)
    journey.check("draft-seen-by-reviewer")
    person.press_button("Approve revision 1")
    page = journey.check("approved")
    assert page.get_by_text("Approved.", exact=True).is_visible()
    assert page.get_by_text("1 of 1 approval needed for revision 1.").is_visible()
