"""The reminder to "yes" answers goes once, however many workers run their rounds at once."""

from collections import Counter

import pytest
import sqlalchemy as sa

from listserve.announcements.event_models import AnnouncementEvent
from listserve.announcements.jobs import queue_due_reminders
from listserve.extensions import db
from tests.announcements.event_helpers import answer, post_page, sent_announcement_with_event
from tests.delivery.test_worker_processes import start_worker
from tests.members.helpers import press_button


def _answered(app, client, smtp_sink, deliver, days):
    announcement_id, event_id = sent_announcement_with_event(app, client, days=days)
    page = post_page(app, announcement_id)
    for email, said in (("yes@example.org", "yes"), ("maybe@example.org", "maybe")):
        answer(client, page, event_id, email=email, answer=said)
        deliver()
        press_button(client, smtp_sink.to(email)[-1].link_to("/events/answers/confirm/"))
    deliver()
    smtp_sink.clear()
    return event_id


def _reminders(smtp_sink) -> Counter:
    return Counter(m.rcpt_tos[0] for m in smtp_sink.messages
                   if m.message["Subject"].startswith("Reminder:"))


def test_no_reminder_before_its_time(app, client, smtp_sink, deliver):
    _answered(app, client, smtp_sink, deliver, days=3)
    deliver()
    assert _reminders(smtp_sink) == Counter()
    with app.app_context():
        assert queue_due_reminders() == []


@pytest.mark.slow
def test_the_reminder_goes_once_with_two_workers(app, client, smtp_sink, deliver):
    event_id = _answered(app, client, smtp_sink, deliver, days=3)
    # Both workers see the event within their reminder window at the same time.
    workers = [start_worker(app, "--burst", EVENT_REMINDER_BEFORE=4 * 86400)
               for _ in range(2)]
    for worker in workers:
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    assert _reminders(smtp_sink) == Counter({"yes@example.org": 1})
    reminder = next(m for m in smtp_sink.messages if m.message["Subject"].startswith("Reminder"))
    assert "Founding assembly" in reminder.text
    assert any(p.get_content_type() == "text/calendar"
               for p in reminder.message.iter_attachments())
    # Later rounds do not send it again.
    app.config["EVENT_REMINDER_BEFORE"] = 4 * 86400
    deliver()
    assert _reminders(smtp_sink) == Counter({"yes@example.org": 1})
    with app.app_context():
        assert db.session.scalar(sa.select(AnnouncementEvent.reminder_queued_at)
                                 .filter_by(id=event_id)) is not None
