"""Issue 20, item 16: delete and duplicate drafts, one's own drafts and those waiting for one's
review on the announcements page, and the latest announcements on the home page."""

from listserve.announcements.models import Announcement
from listserve.extensions import db
from tests.announcements.helpers import BASE, announcement_state, press, write_draft
from tests.announcements.test_sending import committee  # noqa: F401  (fixture)


def test_a_draft_is_duplicated_and_deleted(app, committee):  # noqa: F811
    draft = write_draft(committee["ana"], "Assembly", "We **meet**.\n", next_steps="- Chairs\n")
    response = press(committee["ben"], draft, "duplicate")
    assert response.status_code == 303 and response.headers["Location"].endswith("/edit")
    copy = int(response.headers["Location"].rsplit("/", 2)[1])
    state = announcement_state(app, copy)
    assert state["status"] == "draft" and state["body"] == "We **meet**.\n"
    with app.app_context():
        made = db.session.get(Announcement, copy)
        assert made.subject == "Copy of Assembly" and made.author.name == "Ben"
    assert press(committee["ben"], draft, "delete").status_code == 403  # not his
    assert press(committee["ana"], draft, "delete").status_code == 303
    with app.app_context():
        assert db.session.get(Announcement, draft) is None
    assert committee["ana"].get(f"{BASE}/{draft}").status_code == 404


def test_a_sent_announcement_cannot_be_deleted(app, committee):  # noqa: F811
    draft = write_draft(committee["ana"], "Sent", "Text.\n")
    press(committee["ben"], draft, "approve")
    press(committee["ana"], draft, "send")
    assert press(committee["root"], draft, "delete").status_code == 400
    assert announcement_state(app, draft)["status"] == "sent"


def test_my_drafts_and_those_waiting_for_my_review(app, committee):  # noqa: F811
    write_draft(committee["ana"], "Ana's news", "Text.\n")
    reviewed = write_draft(committee["ana"], "Already approved", "Text.\n")
    press(committee["ben"], reviewed, "approve")
    ben = committee["ben"].get(f"{BASE}/").get_data(as_text=True)
    waiting = ben[ben.index("Waiting for your review"):ben.index("Your drafts")]
    assert "Ana&#39;s news" in waiting and "Already approved" not in waiting
    ana = committee["ana"].get(f"{BASE}/").get_data(as_text=True)
    mine = ana[ana.index("Your drafts"):ana.index("All announcements")]
    assert "Ana&#39;s news" in mine and "Already approved" in mine
    assert "Nothing waits for you." in ana


def test_the_home_page_shows_the_latest_announcements(app, committee, client):  # noqa: F811
    assert "Latest announcements" not in client.get("/").get_data(as_text=True)
    draft = write_draft(committee["ana"], "The spring assembly", "Text.\n")
    press(committee["ben"], draft, "approve")
    press(committee["ana"], draft, "send")
    home = client.get("/").get_data(as_text=True)
    assert "Latest announcements" in home and "The spring assembly" in home
