"""Journey: an organisation signs on to the network, proves its address by mail, an admin
approves it, and the public directory shows it with only the fields it chose; its withdrawal
erases it (the committee's export shows it before and not after)."""

import csv
import io

from tests.browser.harness import PointerUser
from tests.browser.live_server import wait_for_mail
from tests.browser.steps import log_in
from tests.committee.helpers import make_member

ADMIN = "ines@example.org"
COOP = "bakery@riverside.example.org"
NAME = "Riverside Bakery Co-op"


def _exported(journey) -> list[dict]:
    response = journey.page.request.get(journey.url("/committee/network-members/export.csv"))
    assert response.status == 200
    return list(csv.DictReader(io.StringIO(response.text())))


def test_an_organisation_joins_is_approved_listed_and_withdraws(browse, app, smtp_sink):
    make_member(app, ADMIN, "Inês", role="admin")
    visitor = browse(who="coop")
    person = PointerUser(visitor.page)
    page = visitor.open("/", "home")
    person.follow("Join the network")
    visitor.check("join")
    assert visitor.heading() == "Join the network"
    page.check("#kind-organisation")
    person.fill("email", COOP)
    person.fill("name", NAME)
    person.fill("contact_name", "Dana Baker")
    page.select_option("#sector", "cooperatives")
    person.fill("region", "Springfield, MA")
    person.fill("country", "USA")
    person.fill("website", "https://riverside.example.org")
    person.fill("description", "Bread baked by its worker-owners since 1998.")
    for shown in ("sector", "region", "website"):
        page.check(f"#show-{shown}")
    page.check("#agrees")
    person.press_button("Sign on")
    visitor.check("check-inbox")
    assert visitor.heading() == "Check your inbox"

    [verification] = wait_for_mail(smtp_sink, COOP)
    visitor.open(verification.link_to("/join/verify/"), "verify")
    person.press_button("Confirm my address")
    visitor.check("verified")
    assert visitor.heading() == "Thank you, your address is confirmed"

    admin = browse(who="admin")
    clerk = PointerUser(admin.page)
    log_in(admin, clerk, ADMIN)
    clerk.follow("Sign-ons")
    admin.check("sign-ons")
    clerk.follow(NAME)
    admin.check("sign-on")
    admin.page.check("#decision-approve")
    clerk.fill("message", "Welcome aboard!")
    clerk.press_button("Send decision")
    admin.check("decided")

    visitor.open("/members", "directory")
    entry = page.locator("li.member-entry", has_text=NAME)
    assert entry.is_visible()
    shown = entry.inner_text()
    assert "Springfield, MA" in shown and "Cooperatives" in shown
    assert entry.get_by_role("link", name=NAME).get_attribute("href") \
        == "https://riverside.example.org"
    for hidden in ("Dana Baker", COOP, "worker-owners", "USA"):
        assert hidden not in page.content()
    page.select_option("#sector", "media")
    person.press_button("Show")
    visitor.check("directory-other-sector")
    assert NAME not in page.content()

    before = _exported(admin)
    assert [(r["name"], r["email"], r["status"]) for r in before] == [(NAME, COOP, "approved")]
    admin.open("/committee/dashboard", "numbers")
    assert admin.page.locator("#members-heading").is_visible()

    approval = wait_for_mail(smtp_sink, COOP, count=3)[-1]
    assert "Welcome aboard!" in approval.text
    visitor.open(approval.link_to("/members/entry/"), "my-entry")
    person.press_button("Withdraw and erase my entry")
    visitor.check("withdrawn")
    assert visitor.heading() == "Your entry is withdrawn"
    visitor.open("/members", "directory-after")
    assert NAME not in page.content()
    assert _exported(admin) == []
