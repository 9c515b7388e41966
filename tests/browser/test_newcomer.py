"""Journey 1: a newcomer reads the aims and next steps, subscribes, confirms from the mail,
is welcomed, and later leaves through the mail's link — with a mouse, with the keyboard
alone, and with JavaScript turned off."""

from urllib.parse import urlsplit

import pytest

from listserve.public import demo
from tests.browser.harness import KeyboardUser, PointerUser
from tests.browser.live_server import wait_for_mail
from tests.subscriptions.helpers import subscription_of

NEWCOMER = "ada@example.net"


@pytest.mark.parametrize("way", ["pointer", "keyboard", "no-javascript"])
def test_newcomer_subscribes_confirms_and_leaves(browse, app, smtp_sink, way):
    journey = browse(javascript=way != "no-javascript")
    person = KeyboardUser(journey.page) if way == "keyboard" else PointerUser(journey.page)
    page = journey.open("/", "home")
    assert page.get_by_role("heading", name="Our aims").is_visible()
    assert page.get_by_text(demo.AIMS[0], exact=True).is_visible()
    assert page.get_by_role("heading", name="Next steps").is_visible()
    assert page.get_by_text(demo.NEXT_STEPS[0]["title"], exact=True).is_visible()

    person.fill("footer-email", NEWCOMER)
    person.fill("footer-name", "Ada Lovelace")
    person.press_button("Subscribe")
    journey.check("check-your-inbox")
    assert journey.heading() == "Check your inbox"

    confirmation = wait_for_mail(smtp_sink, NEWCOMER)[0]
    journey.open(confirmation.link_to("/confirm/"), "confirm")
    assert subscription_of(app, NEWCOMER).status == "pending"  # opening the link is not enough
    person.press_button("Confirm")
    journey.check("welcome")
    assert journey.heading() == "Welcome aboard"
    assert subscription_of(app, NEWCOMER).status == "confirmed"

    welcome = wait_for_mail(smtp_sink, NEWCOMER, count=2)[1]
    assert "welcome" in welcome.message["Subject"].lower()
    leave_link = welcome.link_to("/u/")
    assert urlsplit(leave_link).netloc == urlsplit(journey.base_url).netloc
    journey.open(leave_link, "leave")
    assert subscription_of(app, NEWCOMER).status == "confirmed"
    person.press_button("Unsubscribe")
    journey.check("left")
    assert journey.heading() == "You have been unsubscribed"
    assert subscription_of(app, NEWCOMER).status == "unsubscribed"


def test_ecosystem_page_and_a_bad_link_pass_the_same_checks(browse):
    journey = browse()
    page = journey.open("/ecosystem", "ecosystem")
    assert page.get_by_role("link", name="SeedCommons").is_visible()
    journey.open("/confirm/not-a-real-token", "bad-link", status=404)
    assert journey.heading() == "This link is not valid"
    journey.open("/no/such/page", "not-found", status=404)
    assert journey.heading() == "Page not found"
