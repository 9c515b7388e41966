"""Journey: an admin makes a second list on the settings page; a visitor joins both lists with
one confirmation; an announcement to the second list reaches only its subscribers; one click
from that mail leaves the second list and nothing else."""

import re
import time

from tests.browser.harness import PointerUser
from tests.browser.live_server import wait_for_mail
from tests.browser.steps import confirmed_subscribers, log_in
from tests.committee.helpers import make_member
from tests.subscriptions.lists_helpers import default_list_id, states

ADMIN = "ines@example.org"
VISITOR = "tomas@example.net"
MAIN_ONLY = "mira@example.net"
GARDEN_CONSENT = "Send me the garden group's news. I can leave at any time."


def test_a_second_list_is_made_joined_with_one_confirmation_and_left_alone(browse, app,
                                                                           smtp_sink):
    confirmed_subscribers(app, [MAIN_ONLY])
    make_member(app, ADMIN, "Inês", role="admin")
    admin = browse(who="admin")
    person = PointerUser(admin.page)
    log_in(admin, person, ADMIN)

    person.follow("Lists")
    admin.check("lists")
    person.follow("New list")
    page = admin.check("new-list")
    person.fill("slug", "garden")
    person.fill("name", "Garden group")
    page.fill("#required_approvals", "0")
    page.fill("#consent_text", GARDEN_CONSENT)
    page.fill("#subject_prefix", "[Garden]")
    person.press_button("Create the list")
    page = admin.check("list-created")
    assert page.get_by_text("The list garden@lists.example.org is ready.").is_visible()

    visitor = browse(who="visitor")
    page = visitor.open("/subscribe", "subscribe-to-lists")
    assert page.get_by_label("Network announcements").is_checked()  # the main list, ticked
    assert not page.get_by_label("Garden group").is_checked()
    assert page.get_by_text(GARDEN_CONSENT).is_visible()
    page.fill("#page-email", VISITOR)
    page.get_by_label("Garden group").check()
    PointerUser(page).press_button("Subscribe")
    visitor.check("check-your-inbox")
    [confirmation] = wait_for_mail(smtp_sink, VISITOR)
    assert "Garden group" in confirmation.text and "Network announcements" in confirmation.text
    visitor.open(confirmation.link_to("/confirm/"), "confirm-both")
    PointerUser(visitor.page).press_button("Confirm")
    visitor.check("welcome-to-both")
    assert visitor.heading() == "Welcome aboard"
    garden = next(list_id for list_id in states(app, VISITOR) if list_id != default_list_id(app))
    assert states(app, VISITOR) == {default_list_id(app): "confirmed", garden: "confirmed"}
    wait_for_mail(smtp_sink, VISITOR, count=3)  # the confirmation and two welcomes

    page = admin.open("/committee/announcements/new", "new-draft")
    page.select_option("#list_id", label="Garden group (garden@lists.example.org)")
    page.fill("#subject", "Planting day")
    page.fill("#body", "We plant the **tomatoes** on Saturday.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/committee/announcements/*")
    page = admin.check("draft-to-the-garden")
    assert page.get_by_text("Garden group").first.is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Send now…").click()
    page = admin.check("confirm-send-to-the-garden")  # the send asks first (issue 20)
    assert page.get_by_text("Garden group").first.is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Send to \d+ subscribers?$")).click()
    admin.check("sent-to-the-garden")

    announcement = wait_for_mail(smtp_sink, VISITOR, count=4)[3]
    assert announcement.message["Subject"] == "[Garden] Planting day"
    assert "<garden.lists.example.org>" in announcement.message["List-Id"]
    time.sleep(1)  # long enough for a stray copy to the main list's subscriber to arrive
    assert [m for m in smtp_sink.to(MAIN_ONLY) if "Planting" in m.message["Subject"]] == []

    # One click (RFC 8058) from the garden mail, as a mail provider sends it.
    response = visitor.page.request.post(announcement.link_to("/u/"),
                                         form={"List-Unsubscribe": "One-Click"})
    assert response.status == 200
    assert states(app, VISITOR) == {default_list_id(app): "confirmed", garden: "unsubscribed"}
