"""Scripted use: members add, announcements create and send (recorded as the command line)."""

from tests.announcements.helpers import announcement_state, press, set_required_approvals
from tests.committee.helpers import audit_actions, log_in, make_member
from tests.delivery.test_announcement import add_subscribers


def test_members_add_reads_the_password_from_stdin(app, runner, client):
    result = runner.invoke(args=["members", "add", "Ana@Example.org", "--name", "Ana",
                                 "--admin"], input="a long enough passphrase\n")
    assert result.exit_code == 0, result.output
    assert "as admin" in result.output
    assert log_in(client, "ana@example.org", "a long enough passphrase").status_code == 303
    assert client.get("/committee/members").status_code == 200


def test_members_add_refuses_a_short_password_and_a_duplicate(app, runner):
    short = runner.invoke(args=["members", "add", "ana@example.org", "--name", "Ana"],
                          input="short\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    make_member(app, "ben@example.org")
    again = runner.invoke(args=["members", "add", "ben@example.org", "--name", "Ben"],
                          input="a long enough passphrase\n")
    assert again.exit_code != 0 and "already" in again.output


def test_create_then_send_respects_the_approvals(app, runner, deliver, smtp_sink, tmp_path):
    make_member(app, "ana@example.org", "Ana")
    make_member(app, "ben@example.org", "Ben")
    add_subscribers(app, {"sub@example.net": "confirmed"})
    body = tmp_path / "news.md"
    body.write_text("# News\n\nScripted words.\n", encoding="utf-8")
    created = runner.invoke(args=["announcements", "create", "--subject", "Scripted",
                                  "--body", str(body), "--author", "ana@example.org"])
    assert created.exit_code == 0, created.output
    announcement_id = int(created.output.split()[2])
    refused = runner.invoke(args=["announcements", "send", str(announcement_id)])
    assert refused.exit_code != 0 and "needs 1 approval" in refused.output
    ben = app.test_client()
    log_in(ben, "ben@example.org")
    press(ben, announcement_id, "approve")
    sent = runner.invoke(args=["announcements", "send", str(announcement_id)])
    assert sent.exit_code == 0, sent.output
    deliver()
    [copy] = smtp_sink.to("sub@example.net")
    assert "Scripted words." in copy.text
    history = audit_actions(app, "announcement", announcement_id)
    assert [a for a, *_ in history] == ["drafted", "approved", "sent"]
    with app.app_context():
        from listserve.committee.models import AuditEvent
        from listserve.extensions import db

        event = db.session.get(AuditEvent, len(audit_actions(app)))
        assert event.detail["via"] == "command line"
        assert event.revision_hash == announcement_state(app, announcement_id)["hash"]


def test_an_admin_sends_from_the_command_line_only_with_a_reason(app, runner, tmp_path):
    set_required_approvals(app, 1)
    make_member(app, "root@example.org", "Root", role="admin")
    body = tmp_path / "news.md"
    body.write_text("Urgent.\n")
    created = runner.invoke(args=["announcements", "create", "--subject", "Urgent",
                                  "--body", str(body), "--author", "root@example.org"])
    announcement_id = created.output.split()[2]
    assert runner.invoke(args=["announcements", "send", announcement_id]).exit_code != 0
    result = runner.invoke(args=["announcements", "send", announcement_id,
                                 "--reason", "Flood warning"])
    assert result.exit_code == 0, result.output
