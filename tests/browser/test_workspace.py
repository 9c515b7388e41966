"""Issue 20 in the browser: every committee page at 1280 px and 390 px (screenshots in
test-artifacts/, no sideways scrolling, axe clean), the editor's preview beside the text, the
send confirmation and finished state, moderation from a post, the erase checkbox."""


import sqlalchemy as sa

from listserve.extensions import db
from listserve.subscriptions.models import Subscription
from tests.archive.helpers import add_comment, make_post
from tests.browser.harness import PointerUser
from tests.browser.steps import confirmed_subscribers, log_in, post_path, wait_until
from tests.committee.helpers import make_member

ADMIN, AUTHOR = "ines@example.org", "rosa@example.org"
SUBSCRIBERS = ["ada@example.net", "grace@example.net", "linus@example.net"]
WIDTHS = {"wide": (1280, 900), "phone": (390, 844)}
PAGES = [
    ("announcements", "/committee/announcements/"),
    ("new-draft", "/committee/announcements/new"),
    ("members", "/committee/members"),
    ("invite", "/committee/members/invite"),
    ("audit", "/committee/audit"),
    ("subscribers", "/committee/subscribers"),
    ("import", "/committee/subscribers/import"),
    ("numbers", "/committee/dashboard"),
    ("aims", "/committee/pages/aims"),
    ("next-steps", "/committee/pages/next-steps"),
    ("ecosystem", "/committee/pages/ecosystem"),
    ("comments", "/committee/comments"),
    ("settings", "/committee/settings"),
    ("password", "/committee/password"),
]


def fits(journey, name: str) -> None:
    width = journey.page.evaluate("document.documentElement.scrollWidth")
    viewport = journey.page.evaluate("window.innerWidth")
    assert width <= viewport, f"{name}: the page is {width} px wide in a {viewport} px window"


def visit(journey, path: str, name: str, width: str) -> None:
    journey.page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    journey.open(path, f"{name}-{width}")
    fits(journey, f"{name} at {WIDTHS[width][0]} px")


def test_every_committee_page_fits_at_1280_and_390(browse, app):
    make_member(app, ADMIN, "Inês Admin", role="admin")
    confirmed_subscribers(app, SUBSCRIBERS)
    with app.app_context():
        subscription_id = db.session.scalar(sa.select(Subscription.id).limit(1))
    journey = browse(who="admin")
    log_in(journey, PointerUser(journey.page), ADMIN)
    draft = write_and_save(journey)
    second_revision(journey, draft)
    with app.app_context():
        from listserve.public.models import EcosystemEntry, EcosystemSection, PageVersion

        section = db.session.scalar(sa.select(EcosystemSection.id).limit(1))
        entry = db.session.scalar(sa.select(EcosystemEntry.id).limit(1))
        version = db.session.scalar(sa.select(PageVersion.id).limit(1))
    pages = PAGES + [("draft", draft), ("confirm-send", f"{draft}/send"),
                     ("edit-draft", f"{draft}/edit"), ("revisions", f"{draft}/revisions"),
                     ("revision", f"{draft}/revisions/1"), ("diff", f"{draft}/diff"),
                     ("subscriber", f"/committee/subscribers/{subscription_id}"),
                     ("section", f"/committee/pages/ecosystem/sections/{section}"),
                     ("entry", f"/committee/pages/ecosystem/entries/{entry}"),
                     ("page-version", f"/committee/pages/versions/{version}")]
    for width in WIDTHS:
        for name, path in pages:
            visit(journey, path, name, width)


def second_revision(journey, draft: str) -> None:
    """Edit the draft once (revisions and the diff have something to show) and the aims once
    (a page version)."""
    page = journey.open(f"{draft}/edit", "editing")
    page.fill("#body", "Dear all,\n\nThe **spring assembly** meets on 3 May.\n")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    journey.check("saved-again")
    page = journey.open("/committee/pages/aims", "aims-before")
    page.fill("#aims", page.locator("#aims").input_value() + "\nMeet in person once a year.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the aims", exact=True).click()
    journey.check("aims-saved")


def write_and_save(journey) -> str:
    page = journey.page
    journey.open("/committee/announcements/new", "writing")
    page.fill("#subject", "The spring assembly")
    page.fill("#body", "Dear all,\n\nThe **spring assembly** meets in May.\n\n" + "More.\n\n" * 30)
    wait_until(journey, "the preview", "() => document.querySelector('[data-preview=\"subject\"]')"
               ".textContent === 'The spring assembly'")
    # Item 6: on a wide screen the preview sits beside the text, its top in view.
    body = page.locator("#body").bounding_box()
    preview = page.locator("#preview").bounding_box()
    assert preview["x"] > body["x"] + body["width"] - 1, (body, preview)
    assert preview["y"] < 900
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    journey.check("saved")
    return page.url.removeprefix(journey.base_url)


def test_the_preview_sits_below_the_text_on_a_phone(browse, app):
    make_member(app, ADMIN, "Inês Admin", role="admin")
    journey = browse()
    journey.page.set_viewport_size({"width": 390, "height": 844})
    log_in(journey, PointerUser(journey.page), ADMIN)
    journey.open("/committee/announcements/new", "writing-on-a-phone")
    body = journey.page.locator("#body").bounding_box()
    preview = journey.page.locator("#preview").bounding_box()
    assert preview["y"] > body["y"] + body["height"]
    fits(journey, "the editor at 390 px")


def test_send_asks_first_then_shows_the_finished_state(browse, app):
    make_member(app, ADMIN, "Inês Admin", role="admin")
    make_member(app, AUTHOR, "Rosa")
    confirmed_subscribers(app, SUBSCRIBERS)
    journey = browse()
    log_in(journey, PointerUser(journey.page), ADMIN)
    draft = write_and_save(journey)
    page = journey.page
    with page.expect_navigation():
        page.get_by_role("link", name="Send now…").click()
    journey.check("confirm-send")
    summary = dict(zip(page.locator("dl.send-summary dt").all_inner_texts(),
                       page.locator("dl.send-summary dd").all_inner_texts(), strict=True))
    assert summary["Recipients"] == "3 subscribers"
    assert summary["Approvals"].startswith("0 of 1 needed")
    assert summary["List"]
    page.fill("#reason", "The venue changed tonight")  # the one reason box, on this page
    with page.expect_navigation():
        page.get_by_role("button", name="Send to 3 subscribers").click()
    journey.check("sending")
    wait_until(journey, "the finished state",
               "() => !document.querySelector('[data-when-done]').hidden")
    assert page.locator("h1").inner_text() == "Sent “The spring assembly”"
    assert not page.get_by_text("Time left").is_visible()
    assert not page.get_by_text("Rate", exact=True).is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    journey.check("sent-phone")
    fits(journey, "the finished sending page at 390 px")
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_navigation():
        page.get_by_role("link", name="Read it in the archive").click()
    journey.check("archived-post")
    assert journey.heading() == "The spring assembly"
    journey.open(draft, "sent-announcement")


def test_a_published_comment_is_hidden_from_its_post(browse, app):
    make_member(app, ADMIN, "Inês Admin", role="admin")
    with app.app_context():
        post = make_post(subject="Notes from the assembly", body="What we agreed.")
        add_comment(post, "Cheap watches at example.com", name="Watches",
                    email="spam@example.com")
        db.session.commit()
        path = post_path(post)
    journey = browse()
    log_in(journey, PointerUser(journey.page), ADMIN)
    page = journey.open(path, "post-seen-by-the-committee")
    comment = page.locator("#comments article", has_text="Cheap watches")
    with page.expect_navigation():
        comment.get_by_role("button", name="Hide").click()
    journey.check("comment-hidden")
    assert page.get_by_text("This comment was hidden by the committee.").is_visible()
    assert "Cheap watches" not in page.locator("#comments").inner_text()
    journey.open("/committee/comments", "recent-comments")
    recent = page.locator(".recent-comments li", has_text="Watches")
    assert recent.get_by_text("hidden").is_visible()
    with page.expect_navigation():
        recent.get_by_role("button", name="Delete").click()
    journey.check("comment-deleted")
    assert page.get_by_text("Comment deleted.").is_visible()


def test_the_erase_checkbox_sits_beside_its_label(browse, app, smtp_sink):
    from tests.browser.live_server import wait_for_mail

    confirmed_subscribers(app, ["zoe@example.net"])
    [welcome] = [mail for mail in wait_for_mail(smtp_sink, "zoe@example.net", count=2)
                 if "/u/" in mail.text]
    journey = browse()
    journey.page.set_viewport_size({"width": 390, "height": 844})
    page = journey.open(welcome.link_to("/u/") + "/data", "my-data")
    box = page.locator("#really").bounding_box()
    # The label's first line: it starts just right of the box, on the box's own line.
    first = page.evaluate("(() => { const r = document.querySelector('label[for=really]')"
                          ".getClientRects()[0]; return {x: r.left, y: r.top, h: r.height}; })()")
    assert abs((box["y"] + box["height"] / 2) - (first["y"] + first["h"] / 2)) < 10, (box, first)
    assert 0 <= first["x"] - (box["x"] + box["width"]) < 20, (box, first)
    fits(journey, "the data page at 390 px")


def test_a_second_visit_to_the_confirmation_link_says_already_subscribed(browse, app,
                                                                         smtp_sink):
    from tests.browser.live_server import wait_for_mail

    journey = browse()
    page = journey.open("/", "home")
    page.fill("#footer-email", "ada@example.net")
    with page.expect_navigation():
        page.locator("footer").get_by_role("button", name="Subscribe").click()
    journey.check("check-your-inbox")
    [confirmation] = wait_for_mail(smtp_sink, "ada@example.net")
    link = confirmation.link_to("/confirm/")
    page = journey.open(link, "confirm")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    journey.check("welcome")
    journey.open(link, "confirm-again")
    assert journey.heading() == "You are already subscribed"
    [welcome] = [m for m in wait_for_mail(smtp_sink, "ada@example.net", count=2)
                 if "/u/" in m.text]
    page = journey.open(welcome.link_to("/u/"), "leave")
    assert page.locator(".leaving-address").inner_text() == "ada@example.net"
    assert page.get_by_role("link", name="See, download or erase your data").is_visible()
