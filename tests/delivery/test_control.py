"""Pausing, resuming and cancelling a send, and reading its progress (service and CLI)."""

from listserve.delivery.control import mailing_progress
from listserve.extensions import db
from tests.delivery.helpers import add_confirmed, announce, received, statuses
from tests.subscriptions.helpers import subscription_of


def test_pause_holds_a_send_and_resume_finishes_it(app, runner, deliver, smtp_sink):
    people = [f"p{n}@example.net" for n in range(12)]
    add_confirmed(app, people)
    mailing_id = announce(app)
    result = runner.invoke(args=["mailings", "pause", str(mailing_id)])
    assert result.exit_code == 0, result.output
    assert deliver() == 0
    assert smtp_sink.messages == []
    progress = runner.invoke(args=["mailings", "progress", str(mailing_id)])
    assert "0 sent · 12 queued" in progress.output
    assert "paused" in progress.output
    runner.invoke(args=["mailings", "resume", str(mailing_id)])
    assert deliver() == 12
    assert received(smtp_sink) == sorted(people)
    progress = runner.invoke(args=["mailings", "progress", str(mailing_id), "--watch"])
    assert "100% 12 sent · 0 queued" in progress.output


def test_cancel_keeps_unsent_copies_from_going_out(app, runner, deliver, smtp_sink):
    add_confirmed(app, ["ann@example.net", "ben@example.net"])
    mailing_id = announce(app)
    result = runner.invoke(args=["mailings", "cancel", str(mailing_id)])
    assert result.exit_code == 0
    deliver()
    assert smtp_sink.messages == []
    assert set(statuses(app, mailing_id).values()) == {"cancelled"}
    again = runner.invoke(args=["mailings", "resume", str(mailing_id)])
    assert again.exit_code != 0 and "cancelled" in again.output


def test_progress_counts_each_state(app, deliver):
    add_confirmed(app, ["ann@example.net", "ben@example.net", "cat@example.net"])
    mailing_id = announce(app)
    deliver()
    with app.app_context():
        progress = mailing_progress(mailing_id)
        assert (progress.sent, progress.queued, progress.total) == (3, 0, 3)
        assert progress.rate_per_second > 0
        assert progress.finished


def test_unknown_mailing_is_a_clear_error(runner, app):
    result = runner.invoke(args=["mailings", "progress", "999"])
    assert result.exit_code != 0 and "no mailing 999" in result.output


def test_someone_who_leaves_after_queueing_gets_nothing(app, client, deliver, smtp_sink):
    add_confirmed(app, ["ann@example.net", "ben@example.net"])
    mailing_id = announce(app)
    with app.app_context():
        from listserve.subscriptions.leaving import unsubscribe

        unsubscribe(db.session.merge(subscription_of(app, "ben@example.net")))
        db.session.commit()
    deliver()
    assert received(smtp_sink) == ["ann@example.net"]
    assert statuses(app, mailing_id) == {"ann@example.net": "sent",
                                         "ben@example.net": "cancelled"}


def test_one_worker_with_three_connections_sends_each_copy_once(app, smtp_sink):
    from listserve.delivery.worker import run_worker

    app.config.update(WORKER_BATCH_SIZE=7, WORKER_RESULT_GROUP=3)
    people = [f"p{n}@example.net" for n in range(60)]
    add_confirmed(app, people)
    mailing_id = announce(app)
    with app.app_context():
        assert run_worker(burst=True, concurrency=3) == 60
    assert received(smtp_sink) == sorted(people)
    assert set(statuses(app, mailing_id).values()) == {"sent"}
