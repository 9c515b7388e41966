"""The lists' settings pages: admins create, edit and archive lists; bad input keeps what was
typed and says what is wrong; every change is in the audit log."""

import sqlalchemy as sa

from listserve.core.lists import MailingList
from listserve.extensions import db
from tests.committee.helpers import audit_actions, log_in, make_member
from tests.support import csrf_token

ADMIN = "ada@example.org"
ADA = "Ada <ada@example.org>"


def _as_admin(app, client):
    make_member(app, ADMIN, "Ada", role="admin")
    log_in(client, ADMIN)


def _settings(**changes):
    data = {"slug": "talk", "name": "Network talk", "description": "Talk among members",
            "public": "y", "kind": "discussion", "from_name": "", "from_address": "",
            "reply_to_policy": "list", "subject_prefix": "[Talk]", "required_approvals": "2",
            "comment_policy": "first_held", "welcome_text": "Hello!", "footer": "Be kind.",
            "consent_text": "I want the network's discussion by email.",
            "digest_schedule": "daily"}
    data.update(changes)
    return data


def _post(client, url, data):
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def _by_slug(app, slug):
    with app.app_context():
        mailing_list = db.session.scalar(sa.select(MailingList).filter_by(slug=slug))
        if mailing_list is not None:
            db.session.expunge(mailing_list)
        return mailing_list


def test_an_admin_creates_edits_and_archives_a_list(app, client):
    _as_admin(app, client)
    response = _post(client, "/committee/lists/new", _settings())
    assert response.status_code == 303
    talk = _by_slug(app, "talk")
    assert (talk.name, talk.kind, talk.reply_to_policy, talk.required_approvals,
            talk.comment_policy, talk.digest_schedule, talk.public) == (
        "Network talk", "discussion", "list", 2, "first_held", "daily", True)
    page = client.get("/committee/lists").get_data(as_text=True)
    assert "talk@lists.example.org" in page and "announcements@lists.example.org" in page

    edit_url = f"/committee/lists/{talk.id}"
    assert "[Talk]" in client.get(edit_url).get_data(as_text=True)
    response = _post(client, edit_url, _settings(subject_prefix="[Chat]", public=""))
    assert response.status_code == 303
    talk = _by_slug(app, "talk")
    assert (talk.subject_prefix, talk.public) == ("[Chat]", False)

    token = csrf_token(client.get("/committee/lists").get_data(as_text=True))
    assert client.post(f"/committee/lists/{talk.id}/archive",
                       data={"csrf_token": token}).status_code == 303
    assert _by_slug(app, "talk").archived
    assert [(action, who) for action, who, _ in audit_actions(app, "list", talk.id)] == [
        ("created", ADA), ("changed", ADA), ("archived", ADA)]


def test_bad_settings_re_render_with_what_was_typed_and_a_4xx(app, client):
    _as_admin(app, client)
    typed = _settings(required_approvals="-3", from_address="news@elsewhere.org",
                      subject_prefix="[x]\r\nBcc: victim@example.org",
                      description="A long, carefully typed description")
    response = _post(client, "/committee/lists/new", typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Between 0 and 20" in page
    assert "The sender address must be on lists.example.org" in page
    assert "line breaks are not allowed" in page
    assert "A long, carefully typed description" in page and "news@elsewhere.org" in page
    assert _by_slug(app, "talk") is None

    response = _post(client, "/committee/lists/new", _settings(slug="announcements"))
    assert response.status_code == 400
    assert "already a list" in response.get_data(as_text=True)
    hostile = _post(client, "/committee/lists/new",
                    _settings(name="x\x00y", required_approvals="9" * 5000, slug="é" * 100))
    assert hostile.status_code == 400
    assert audit_actions(app, "list", _by_slug(app, "announcements").id) == []


def test_members_who_are_not_admins_cannot_see_the_settings(app, client):
    make_member(app, "bo@example.org", "Bo")
    log_in(client, "bo@example.org")
    assert client.get("/committee/lists").status_code == 403
    assert client.get("/committee/lists/new").status_code == 403
