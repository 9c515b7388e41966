"""Subject and every other header-bound field refuse CR, LF and NUL with a clear form error."""

import pytest
import sqlalchemy as sa

from listserve.announcements.models import Announcement
from listserve.committee.models import CommitteeMember
from listserve.extensions import db
from tests.announcements.helpers import write_draft
from tests.committee.helpers import log_in, make_member
from tests.support import csrf_token

BAD = ["Hello\r\nBcc: all@example.net", "Hello\nthere", "Hello\rthere", "Hello\0there",
       "Hello\u2028there"]


@pytest.fixture
def ana(app, client):
    make_member(app, "ana@example.org", "Ana", role="admin")
    log_in(client, "ana@example.org")
    return client


@pytest.mark.parametrize("subject", BAD)
def test_a_new_draft_with_a_broken_subject_is_refused_and_kept(app, ana, subject):
    page = ana.get("/committee/announcements/new").get_data(as_text=True)
    response = ana.post("/committee/announcements/new", data={
        "csrf_token": csrf_token(page), "action": "save", "subject": subject,
        "body": "The body I typed.",
    })
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "line breaks are not allowed" in text or "control characters" in text
    assert "The body I typed." in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Announcement.id))) == 0


@pytest.mark.parametrize("subject", BAD)
def test_an_edit_with_a_broken_subject_is_refused(app, ana, subject):
    draft = write_draft(ana, "Fine subject")
    page = ana.get(f"/committee/announcements/{draft}/edit").get_data(as_text=True)
    response = ana.post(f"/committee/announcements/{draft}/edit", data={
        "csrf_token": csrf_token(page), "action": "save", "subject": subject, "body": "x"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Announcement, draft).subject == "Fine subject"


@pytest.mark.parametrize("field", ["email", "name"])
def test_an_invite_with_a_broken_name_or_address_is_refused(app, ana, field):
    page = ana.get("/committee/members/invite").get_data(as_text=True)
    data = {"email": "new@example.org", "name": "New", "role": "member"}
    data[field] = data[field].replace("e", "e\r\nBcc: x@example.net", 1)
    response = ana.post("/committee/members/invite", data={"csrf_token": csrf_token(page),
                                                           **data})
    assert response.status_code == 400
    assert "line breaks are not allowed" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CommitteeMember.id))) == 1


def test_the_command_line_refuses_a_broken_subject(app, runner, tmp_path):
    body = tmp_path / "body.md"
    body.write_text("Words.")
    result = runner.invoke(args=["announcements", "create", "--subject", "Hi\r\nBcc: x@y.z",
                                 "--body", str(body)])
    assert result.exit_code != 0 and "one line" in result.output
