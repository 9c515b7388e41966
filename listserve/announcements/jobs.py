"""The announcements' worker jobs: scheduled sends start when they are due, and events
remind those who said yes (no cron)."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from listserve.announcements.event_models import AnnouncementEvent, Answer
from listserve.announcements.events import answered, mail_answered, reminder_lead
from listserve.announcements.models import Announcement, AnnouncementStatus
from listserve.announcements.sending import check_may_send, start_sending
from listserve.announcements.services import AnnouncementError
from listserve.committee.audit import SCHEDULER, record_audit
from listserve.core.db import utcnow
from listserve.delivery.hooks import DeliveryHooks
from listserve.extensions import db


def register(hooks: DeliveryHooks) -> None:
    hooks.round_jobs.append(start_due_announcements)
    hooks.round_jobs.append(queue_due_reminders)  # events: "yes" answers, before the start


def start_due_announcements(now: datetime | None = None) -> list[int]:
    """Start every scheduled send that is due. A job, like a worker batch: commits each one.

    Several workers may call this at once: the conditional UPDATE lets exactly one start each.
    """
    now = now or utcnow()
    started = []
    due = db.session.scalars(
        sa.select(Announcement.id).where(
            Announcement.status == AnnouncementStatus.SCHEDULED,
            Announcement.scheduled_at <= now,
        ).order_by(Announcement.scheduled_at)
    ).all()
    db.session.commit()
    for announcement_id in due:
        claimed = db.session.execute(
            sa.update(Announcement)
            .where(Announcement.id == announcement_id,
                   Announcement.status == AnnouncementStatus.SCHEDULED)
            .values(status=AnnouncementStatus.DRAFT)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            _start_scheduled(db.session.get(Announcement, announcement_id))
            started.append(announcement_id)
        db.session.commit()
    return started


def _start_scheduled(announcement: Announcement) -> None:
    db.session.refresh(announcement)
    actor = announcement.scheduled_by
    try:
        if actor is None or not actor.is_active:
            raise AnnouncementError("the member who scheduled it no longer has an active account")
        check_may_send(announcement, actor, announcement.override_reason)
    except AnnouncementError as exc:
        record_audit(SCHEDULER, "schedule failed", "announcement", announcement.id,
                     announcement.current_revision.content_hash, {"why": str(exc)})
        announcement.scheduled_at = None
        return
    start_sending(announcement, actor, announcement.override_reason, "schedule")


def queue_due_reminders(now: datetime | None = None) -> list[int]:
    """A worker round job: the reminder to "yes" answers of every event starting within
    EVENT_REMINDER_BEFORE. Any number of workers may run it at once: a conditional UPDATE lets
    exactly one claim each event. Commits each one."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(AnnouncementEvent.id)
        .join(Announcement, Announcement.id == AnnouncementEvent.announcement_id)
        .where(
            Announcement.status == AnnouncementStatus.SENT,
            AnnouncementEvent.reminder_queued_at.is_(None),
            AnnouncementEvent.starts_at > now,
            AnnouncementEvent.starts_at <= now + timedelta(seconds=reminder_lead()),
        )).all()
    db.session.commit()
    queued = []
    for event_id in due:
        claimed = db.session.execute(
            sa.update(AnnouncementEvent)
            .where(AnnouncementEvent.id == event_id,
                   AnnouncementEvent.reminder_queued_at.is_(None))
            .values(reminder_queued_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            event = db.session.get(AnnouncementEvent, event_id)
            db.session.refresh(event)
            mail_answered(event, answered(event, Answer.YES),
                          f"event.reminder:{event.id}:{event.sequence}",
                          "announcements/event_reminder",
                          _("Reminder: %(title)s", title=event.title))
            queued.append(event_id)
        db.session.commit()
    return queued
