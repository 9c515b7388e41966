"""`listserve mailings` names a send by the announcement the committee sees, prints both ids,
and says what the sending page says."""

import re

from tests.announcements.helpers import BASE
from tests.committee.helpers import log_in, make_member
from tests.delivery.test_announcement import add_subscribers
from tests.subscriptions.helpers import subscribe


def send_from_the_command_line(app, runner, client, tmp_path) -> tuple[int, int]:
    """An announcement sent to three subscribers: (announcement id, mailing id)."""
    make_member(app, "root@example.org", "Root", role="admin")
    add_subscribers(app, {f"s{n}@example.net": "confirmed" for n in range(3)})
    subscribe(client, "newcomer@example.net")  # a confirmation: mailing ids run ahead
    body = tmp_path / "news.md"
    body.write_text("News.\n")
    created = runner.invoke(args=["announcements", "create", "--subject", "News",
                                  "--body", str(body), "--author", "root@example.org"])
    sent = runner.invoke(args=["announcements", "send", created.output.split()[2],
                               "--reason", "Urgent"])
    assert sent.exit_code == 0, sent.output
    announcement_id, mailing_id = map(int, re.search(
        r"Sending announcement (\d+) \(mailing (\d+)\)", sent.output).groups())
    assert announcement_id != mailing_id
    return announcement_id, mailing_id


def page_state(client, announcement_id: int) -> str:
    return client.get(f"{BASE}/{announcement_id}/progress.json").get_json()["state"]


def test_mailings_commands_take_the_announcement_id(app, runner, client, deliver, tmp_path):
    announcement_id, mailing_id = send_from_the_command_line(app, runner, client, tmp_path)
    both = f"Announcement {announcement_id} (mailing {mailing_id})"
    log_in(client, "root@example.org")

    paused = runner.invoke(args=["mailings", "pause", "--announcement", str(announcement_id)])
    assert paused.exit_code == 0, paused.output
    assert f"{both} paused." in paused.output
    progress = runner.invoke(args=["mailings", "progress", "--announcement",
                                   str(announcement_id)])
    assert progress.output.startswith(f"{both}: ")
    assert "0 sent · 3 queued" in progress.output
    assert progress.output.rstrip().endswith("paused") and page_state(client,
                                                                      announcement_id) == "paused"

    resumed = runner.invoke(args=["mailings", "resume", "--announcement", str(announcement_id)])
    assert f"{both} resumed." in resumed.output
    deliver()
    for named in (["--announcement", str(announcement_id)], [str(mailing_id)]):
        progress = runner.invoke(args=["mailings", "progress", *named])
        assert progress.exit_code == 0, progress.output
        assert progress.output.startswith(f"{both}: ")
        assert "3 sent · 0 queued" in progress.output
        assert progress.output.rstrip().endswith("· finished")
    assert page_state(client, announcement_id) == "finished"


def test_a_send_must_be_named_once_and_exist(app, runner):
    unsent = runner.invoke(args=["mailings", "progress", "--announcement", "999"])
    assert unsent.exit_code == 1
    assert "Announcement 999 has not been sent" in unsent.output
    for args in ([], ["4", "--announcement", "3"]):
        result = runner.invoke(args=["mailings", "pause", *args])
        assert result.exit_code == 2 and "Name one send" in result.output, args
