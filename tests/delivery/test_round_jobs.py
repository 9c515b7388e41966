"""The features' round jobs and the sending of a batch: on PostgreSQL they run side by side
(a sign-up surge's next confirmations are made while this round's go out), on SQLite one after
the other. Either way a job that fails loses no mail and holds no copy back for good."""

import pytest
import sqlalchemy as sa

from listserve.delivery.hooks import current_hooks
from listserve.delivery.models import OutboxEntry
from listserve.delivery.worker import run_worker
from listserve.extensions import db
from tests.delivery.helpers import add_confirmed, announce, received
from tests.delivery.test_many_mailings import sign_up


def statuses(app) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(OutboxEntry.status, sa.func.count()).group_by(OutboxEntry.status)
        ).all()
        db.session.rollback()
        return dict(rows)


def test_a_surge_of_sign_ups_beside_a_send_is_carried_out_and_confirmed(
        app, client, deliver, smtp_sink):
    readers = [f"reader{n}@example.net" for n in range(450)]
    add_confirmed(app, readers)
    announce(app)  # three batches of copies, while the requests wait for the round's job
    joining = [f"surge{n}@example.com" for n in range(450)]
    sign_up(client, joining)

    deliver()

    assert received(smtp_sink) == sorted(readers + joining)
    assert statuses(app) == {"sent": 900}
    [confirmation] = smtp_sink.to("surge449@example.com")
    assert confirmation.link_to("/confirm/")


def test_a_failing_job_loses_no_mail_and_the_next_round_sends_the_rest(app, client, smtp_sink):
    readers = [f"reader{n}@example.net" for n in range(300)]
    add_confirmed(app, readers)
    announce(app)
    joining = [f"late{n}@example.com" for n in range(20)]
    sign_up(client, joining)
    calls = []

    def broken_job():
        calls.append(1)
        raise RuntimeError("the job broke")

    with app.app_context():
        hooks = current_hooks()
        hooks.round_jobs.insert(0, broken_job)
        try:
            with pytest.raises(RuntimeError, match="the job broke"):
                run_worker(burst=True)
        finally:
            hooks.round_jobs.remove(broken_job)
        db.session.remove()
    assert calls
    # Nothing was lost or left leased: what was not sent is still queued and goes out now.
    assert set(statuses(app)) <= {"sent", "queued"}
    with app.app_context():
        run_worker(burst=True)
        db.session.remove()
    assert received(smtp_sink) == sorted(readers + joining)
    assert statuses(app) == {"sent": 320}
