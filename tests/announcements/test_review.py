"""Review: only other members approve, approvals are bound to one revision, sends need them."""

import pytest

from tests.announcements.helpers import (
    announcement_state,
    edit_draft,
    press,
    set_required_approvals,
    write_draft,
)
from tests.committee.helpers import audit_actions, log_in, make_member


@pytest.fixture
def committee(app):
    make_member(app, "ana@example.org", "Ana")
    make_member(app, "ben@example.org", "Ben")
    make_member(app, "cy@example.org", "Cy")
    make_member(app, "root@example.org", "Root", role="admin")
    clients = {}
    for name in ("ana", "ben", "cy", "root"):
        clients[name] = app.test_client()
        log_in(clients[name], f"{name}@example.org")
    return clients


def test_a_member_cannot_approve_their_own_draft(app, committee):
    draft = write_draft(committee["ana"])
    page = committee["ana"].get(f"/committee/announcements/{draft}").get_data(as_text=True)
    assert "another member reviews it" in page and "Approve revision" not in page
    response = press(committee["ana"], draft, "approve",
                     revision_hash=announcement_state(app, draft)["hash"])
    assert response.status_code == 403
    assert "cannot approve a draft you wrote" in response.get_data(as_text=True)
    assert "approved" not in [action for action, *_ in audit_actions(app)]


def test_the_editor_of_the_current_revision_cannot_approve_it_either(app, committee):
    draft = write_draft(committee["ana"])
    assert edit_draft(committee["ben"], draft, body="Ben's better words.\n").status_code == 303
    seen = announcement_state(app, draft)["hash"]
    assert press(committee["ben"], draft, "approve", revision_hash=seen).status_code == 403
    assert press(committee["cy"], draft, "approve").status_code == 303


def test_an_edit_clears_the_approvals(app, committee):
    draft = write_draft(committee["ana"])
    assert press(committee["ben"], draft, "approve").status_code == 303
    page = committee["ana"].get(f"/committee/announcements/{draft}").get_data(as_text=True)
    assert "1 of 1 approval" in page
    edit_draft(committee["ana"], draft, body="Hello everyone, with a late fix.\n")
    page = committee["ana"].get(f"/committee/announcements/{draft}").get_data(as_text=True)
    assert "0 of 1 approval" in page
    response = press(committee["ana"], draft, "send")
    assert response.status_code == 400
    assert "needs 1 approval" in response.get_data(as_text=True)
    assert announcement_state(app, draft)["status"] == "draft"


def test_saving_without_a_change_keeps_the_approvals(app, committee):
    draft = write_draft(committee["ana"])
    press(committee["ben"], draft, "approve")
    response = edit_draft(committee["ana"], draft)
    assert response.status_code == 303
    assert announcement_state(app, draft)["revision"] == 1
    assert press(committee["ana"], draft, "send").status_code == 303


def test_an_approval_of_a_revision_that_changed_meanwhile_is_refused(app, committee):
    draft = write_draft(committee["ana"])
    seen = announcement_state(app, draft)["hash"]
    edit_draft(committee["ana"], draft, body="Changed while Ben was reading.\n")
    response = press(committee["ben"], draft, "approve", revision_hash=seen)
    assert response.status_code == 400
    assert "changed since you opened it" in response.get_data(as_text=True)


@pytest.mark.parametrize("required", [0, 1, 2])
def test_sending_needs_the_configured_number_of_approvals(app, committee, required):
    set_required_approvals(app, required)
    draft = write_draft(committee["ana"])
    for reviewer in ("ben", "cy")[:required]:
        assert announcement_state(app, draft)["status"] == "draft"
        refused = press(committee["ana"], draft, "send")
        assert refused.status_code == 400
        press(committee[reviewer], draft, "approve")
    assert press(committee["ana"], draft, "send").status_code == 303
    assert announcement_state(app, draft)["status"] == "sent"


def test_only_the_author_or_an_admin_sends(app, committee):
    set_required_approvals(app, 0)
    draft = write_draft(committee["ana"])
    assert press(committee["ben"], draft, "send").status_code == 403
    assert press(committee["root"], draft, "send").status_code == 303


def test_an_admin_sends_without_approvals_only_with_a_reason_which_is_kept(app, committee):
    draft = write_draft(committee["root"])
    assert press(committee["root"], draft, "send").status_code == 400
    response = press(committee["root"], draft, "send", reason="Venue changed tonight")
    assert response.status_code == 303
    [sent] = [e for e in audit_actions(app, "announcement", draft) if e[0] == "sent"]
    assert sent[2] == announcement_state(app, draft)["hash"]
    page = committee["root"].get(f"/committee/audit?type=announcement&id={draft}")
    assert "Venue changed tonight" in page.get_data(as_text=True)


def test_a_member_cannot_override_with_a_reason(app, committee):
    draft = write_draft(committee["ana"])
    response = press(committee["ana"], draft, "send", reason="I am in a hurry")
    assert response.status_code == 403
    assert announcement_state(app, draft)["status"] == "draft"


def test_reviewers_leave_comments_on_the_revision_they_read(app, committee):
    draft = write_draft(committee["ana"])
    response = press(committee["ben"], draft, "comments", body="Add the date of the *meeting*?")
    assert response.status_code == 303
    page = committee["ana"].get(f"/committee/announcements/{draft}").get_data(as_text=True)
    assert "Add the date of the *meeting*?" in page and "Ben on revision 1" in page
    empty = press(committee["ben"], draft, "comments", body="   ")
    assert empty.status_code == 400


def test_revisions_are_listed_viewed_and_compared(app, committee):
    draft = write_draft(committee["ana"], body="We meet on Monday.\n")
    edit_draft(committee["ben"], draft, body="We meet on Tuesday.\n")
    client = committee["cy"]
    listing = client.get(f"/committee/announcements/{draft}/revisions").get_data(as_text=True)
    assert "Ana" in listing and "Ben" in listing
    first = client.get(f"/committee/announcements/{draft}/revisions/1").get_data(as_text=True)
    assert "We meet on Monday." in first
    diff = client.get(f"/committee/announcements/{draft}/diff?from=1&to=2")
    text = diff.get_data(as_text=True)
    assert '<span class="diff-removed">-We meet on Monday.</span>' in text
    assert '<span class="diff-added">+We meet on Tuesday.</span>' in text
    assert client.get(f"/committee/announcements/{draft}/revisions/9").status_code == 404
