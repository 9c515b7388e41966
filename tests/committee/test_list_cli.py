"""`listserve lists`: create, list, show, set — checked and audited as on the settings page."""

import sqlalchemy as sa

from listserve.committee.models import AuditEvent
from listserve.core.lists import MailingList
from listserve.extensions import db
from tests.committee.helpers import audit_actions


def _list(app, slug):
    with app.app_context():
        mailing_list = db.session.scalar(sa.select(MailingList).filter_by(slug=slug))
        db.session.expunge(mailing_list)
        return mailing_list


def test_create_show_set_and_every_change_audited(app, runner):
    result = runner.invoke(args=["lists", "create", "talk", "--name", "Network talk",
                                 "kind=discussion", "subject_prefix=[Talk]"])
    assert result.exit_code == 0, result.output
    assert "talk@lists.example.org" in result.output
    talk = _list(app, "talk")
    assert (talk.kind, talk.subject_prefix, talk.domain) == ("discussion", "[Talk]",
                                                             "lists.example.org")
    assert talk.consent_text == app.config["CONSENT_TEXT"]

    listed = runner.invoke(args=["lists", "list"]).output
    assert "talk@lists.example.org" in listed and "announcements@lists.example.org" in listed
    shown = runner.invoke(args=["lists", "show", "talk"]).output
    assert "kind: discussion" in shown and "required_approvals: 1" in shown

    result = runner.invoke(args=["lists", "set", "talk", "required_approvals=2",
                                 "comment_policy=first_held"])
    assert result.exit_code == 0, result.output
    assert "required_approvals: 1 -> 2" in result.output
    talk = _list(app, "talk")
    assert (talk.required_approvals, talk.comment_policy) == (2, "first_held")
    assert runner.invoke(args=["lists", "set", "talk", "archived=yes"]).exit_code == 0
    assert _list(app, "talk").archived
    assert [action for action, who, _ in audit_actions(app, "list", talk.id)] == [
        "created", "changed", "archived"]
    assert {who for _, who, _ in audit_actions(app, "list", talk.id)} == {"command line"}


def test_bad_settings_are_refused_with_every_reason_and_nothing_saved(app, runner):
    result = runner.invoke(args=["lists", "create", "news", "--name", "News",
                                 "required_approvals=99", "from_address=news@elsewhere.org",
                                 "kind=chat"])
    assert result.exit_code != 0
    assert "required_approvals: Between 0 and 20" in result.output
    assert "from_address: The sender address must be on lists.example.org" in result.output
    assert "kind: Choose one of: announce, discussion" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(MailingList.id).filter_by(slug="news")) is None

    bad_slug = runner.invoke(args=["lists", "create", "Bad Slug!", "--name", "x"])
    assert bad_slug.exit_code != 0 and "lower-case letters" in bad_slug.output
    reserved = runner.invoke(args=["lists", "create", "news-request", "--name", "x"])
    assert reserved.exit_code != 0 and "kept for the mail system" in reserved.output
    taken = runner.invoke(args=["lists", "create", "announcements", "--name", "x"])
    assert taken.exit_code != 0 and "already a list" in taken.output

    injected = runner.invoke(args=["lists", "set", "announcements",
                                   "subject_prefix=[x]\r\nBcc: a@b.c"])
    assert injected.exit_code != 0 and "on one line" in injected.output
    unknown = runner.invoke(args=["lists", "set", "announcements", "colour=blue"])
    assert unknown.exit_code != 0 and "no setting 'colour'" in unknown.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0
