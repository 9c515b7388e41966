"""Issue 20, items 2, 3 and 5: sending asks first (list, recipients, approvals), the announcement
page has one reason box, and a finished send shows its final counts and the archive link."""

import re

from tests.announcements.helpers import BASE, press, set_required_approvals, write_draft
from tests.announcements.test_sending import committee  # noqa: F401  (fixture)


def test_send_now_asks_first_stating_list_recipients_and_approvals(app, committee):  # noqa: F811
    draft = write_draft(committee["ana"], "Assembly", "We meet.\n")
    press(committee["ben"], draft, "approve")
    page = committee["ana"].get(f"{BASE}/{draft}").get_data(as_text=True)
    assert "Send now" in page and f'action="{BASE}/{draft}/send"' not in page  # no one-press send
    confirm = committee["ana"].get(f"{BASE}/{draft}/send")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "2 subscribers" in text  # two confirmed, the pending one is not counted
    assert "1 of 1 needed: Ben" in text
    assert re.search(r"<dt>List</dt><dd>[^<]+</dd>", text)
    assert "Send to 2 subscribers" in text
    response = press(committee["ana"], draft, "send")
    assert response.status_code == 303 and response.headers["Location"].endswith("/sending")


def test_a_refused_send_stays_on_the_confirmation_with_the_reason_typed(app, committee):  # noqa: F811
    set_required_approvals(app, 2)
    draft = write_draft(committee["root"], "Urgent", "Now.\n")
    response = press(committee["root"], draft, "send", reason="x" * 3000)  # over 2000
    assert response.status_code == 400
    assert "x" * 3000 in response.get_data(as_text=True)


def test_the_announcement_page_has_one_reason_box(app, committee):  # noqa: F811
    set_required_approvals(app, 1)
    draft = write_draft(committee["root"], "Alone", "Text.\n")
    page = committee["root"].get(f"{BASE}/{draft}").get_data(as_text=True)
    assert page.count("Reason for sending without the approvals") == 1
    # and that box schedules without the approvals
    response = press(committee["root"], draft, "schedule", **{
        "schedule-when": "2099-01-01T10:00", "schedule-reason": "The assembly is tomorrow"})
    assert response.status_code == 303


def test_a_finished_send_shows_final_counts_and_the_archive_link(app, committee, deliver):  # noqa: F811
    draft = write_draft(committee["ana"], "Finished", "Text.\n")
    press(committee["ben"], draft, "approve")
    press(committee["ana"], draft, "send")
    deliver()
    page = committee["ana"].get(f"{BASE}/{draft}/sending").get_data(as_text=True)
    assert "<h1" in page and "Sent “Finished”" in page
    assert "Read it in the archive" in page
    assert re.search(r'data-when-done>', page)  # shown, not hidden
    assert re.search(r'data-while-sending hidden><dt>Rate', page)
    assert "Sending has started" not in committee["ana"].get(
        f"{BASE}/{draft}/sending").get_data(as_text=True)
