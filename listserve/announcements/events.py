"""The events an announcement carries: added and changed by the committee, shown in the mail
with an .ics each, and on the archive page. A change of time (or place) after the announcement
went out sends everyone who answered an update with SEQUENCE one higher."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from listserve.announcements.calendar import event_ics, local_end, local_start
from listserve.announcements.event_models import AnnouncementEvent, EventRsvp
from listserve.announcements.models import Announcement, AnnouncementStatus
from listserve.archive.models import Post
from listserve.archive.services import post_url
from listserve.committee.audit import record_audit
from listserve.core.db import utcnow
from listserve.core.headers import check_header_value, has_control_characters
from listserve.core.lists import MailingList
from listserve.delivery.outbox import Attachment, create_bulk_notice, enqueue_copies, render_mail
from listserve.extensions import db


def fits_id(number: int) -> bool:
    """An id from a URL the database could hold (a bigger one would overflow, not miss)."""
    return 0 < number < 2**31


class EventRefused(ValueError):
    """The event cannot be saved as written; the message says why."""


@dataclass(frozen=True)
class EventDraft:
    title: str
    starts: datetime  # naive: wall time in time_zone
    ends: datetime
    time_zone: str
    place: str = ""
    online_url: str = ""
    description: str = ""


class EventBlock(NamedTuple):
    """An event as a mail shows it."""

    title: str
    when: str
    place: str
    online_url: str
    description: str
    page_url: str
    filename: str


def _checked(draft: EventDraft) -> dict:
    try:
        zone = ZoneInfo(draft.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise EventRefused(_("Please choose a time zone from the list.")) from None
    title = " ".join((draft.title or "").split())
    if not title or len(title) > 200 or has_control_characters(title):
        raise EventRefused(_("Please give the event a title of up to 200 characters."))
    starts = draft.starts.replace(tzinfo=zone).astimezone(UTC)
    ends = draft.ends.replace(tzinfo=zone).astimezone(UTC)
    if ends <= starts:
        raise EventRefused(_("The event must end after it starts."))
    online = (draft.online_url or "").strip()
    parts = urlsplit(online) if len(online) <= 500 and online.isprintable() else None
    if online and (parts is None or parts.scheme not in ("http", "https") or not parts.netloc):
        raise EventRefused(_("Please give the online link as a full address starting with https://."))
    place = " ".join((draft.place or "").split())
    if len(place) > 300 or has_control_characters(place):
        raise EventRefused(_("Please keep the place under 300 characters."))
    description = (draft.description or "").replace("\r\n", "\n").strip()
    if len(description) > 5000 or any(has_control_characters(x) for x in description.split("\n")):
        raise EventRefused(_("Please keep the description under 5000 characters of plain text."))
    return {"title": check_header_value(title, "title"), "starts_at": starts, "ends_at": ends,
            "time_zone": zone.key, "place": place, "online_url": online,
            "description": description}


def add_event(announcement: Announcement, draft: EventDraft, actor) -> AnnouncementEvent:
    """Raises EventRefused."""
    domain = db.session.get(MailingList, announcement.list_id).domain
    event = AnnouncementEvent(announcement_id=announcement.id,
                              uid=f"event-{secrets.token_hex(10)}@{domain}", **_checked(draft))
    db.session.add(event)
    db.session.flush()
    record_audit(actor, "event added", "announcement", announcement.id,
                 detail={"event": event.uid, "title": event.title})
    return event


def change_event(event: AnnouncementEvent, draft: EventDraft, actor) -> int:
    """Save the committee's change; a new time or place raises the SEQUENCE and, once the
    announcement went out, mails the update to everyone who answered. Returns how many
    updates were queued. Raises EventRefused."""
    details = _checked(draft)
    moved = any(details[k] != getattr(event, k)
                for k in ("starts_at", "ends_at", "time_zone", "place", "online_url"))
    for name, value in details.items():
        setattr(event, name, value)
    updates = 0
    if moved:
        event.sequence += 1
        if event.starts_at > utcnow():
            event.reminder_queued_at = None  # a reminder for the new time
        announcement = db.session.get(Announcement, event.announcement_id)
        if announcement.status == AnnouncementStatus.SENT:
            updates = send_update(event)
    db.session.flush()
    record_audit(actor, "event changed", "announcement", event.announcement_id,
                 detail={"event": event.uid, "sequence": event.sequence, "updates": updates})
    return updates


def remove_event(event: AnnouncementEvent, actor) -> None:
    """Raises EventRefused once the announcement went out (people may have answered)."""
    announcement = db.session.get(Announcement, event.announcement_id)
    if announcement.status == AnnouncementStatus.SENT:
        raise EventRefused(_("This announcement went out: its events stay (change their time "
                             "instead, and those who answered are told)."))
    record_audit(actor, "event removed", "announcement", event.announcement_id,
                 detail={"event": event.uid})
    db.session.delete(event)
    db.session.flush()


def events_of(announcement_id: int | None) -> list[AnnouncementEvent]:
    if announcement_id is None:
        return []
    return list(db.session.scalars(
        sa.select(AnnouncementEvent).filter_by(announcement_id=announcement_id)
        .order_by(AnnouncementEvent.starts_at, AnnouncementEvent.id)))


def event_page_url(event: AnnouncementEvent) -> str:
    """The archive page of the event's announcement (where the RSVP form is), once sent."""
    announcement = db.session.get(Announcement, event.announcement_id)
    post = db.session.get(Post, announcement.post_id) if announcement.post_id else None
    return f"{post_url(post)}#event-{event.id}" if post else ""


def when_text(event: AnnouncementEvent) -> str:
    start, end = local_start(event), local_end(event)
    same_day = start.date() == end.date()
    return (f"{start:%A %d %B %Y, %H:%M} – {end:%H:%M}" if same_day
            else f"{start:%A %d %B %Y, %H:%M} – {end:%A %d %B %Y, %H:%M}") + f" ({event.time_zone})"


def event_blocks(events: list[AnnouncementEvent]) -> list[EventBlock]:
    return [EventBlock(e.title, when_text(e), e.place, e.online_url, e.description,
                       event_page_url(e), ics_filename(e, n)) for n, e in enumerate(events)]


def ics_filename(event: AnnouncementEvent, index: int = 0) -> str:
    return f"event-{index + 1}.ics" if index else "event.ics"


def ics_attachment(event: AnnouncementEvent, index: int = 0,
                   method: str = "PUBLISH") -> Attachment:
    return Attachment(ics_filename(event, index),
                      f"text/calendar; method={method}; charset=utf-8",
                      event_ics(event, event_page_url(event), method))


def answered(event: AnnouncementEvent, *answers: str) -> sa.Select:
    """Those who answered (proven), as delivery's recipient select: (None, address, name)."""
    query = sa.select(sa.null(), EventRsvp.email, EventRsvp.name).where(
        EventRsvp.event_id == event.id, EventRsvp.answer.is_not(None))
    if answers:
        query = query.where(EventRsvp.answer.in_(answers))
    return query


def mail_answered(event: AnnouncementEvent, recipients: sa.Select, purpose: str,
                  template: str, subject: str) -> int:
    """One notice rendered once, with the event's .ics, a copy for each recipient."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(recipients.subquery()))
    if not count:
        return 0
    announcement = db.session.get(Announcement, event.announcement_id)
    mailing_list = db.session.get(MailingList, announcement.list_id)
    block = event_blocks([event])[0]
    text, html = render_mail(template, mailing_list=mailing_list, recipient_name="",
                             event=block, events=[block])
    mailing = create_bulk_notice(mailing_list=mailing_list, purpose=purpose,
                                 subject=check_header_value(subject, "subject"),
                                 text_body=text, html_body=html,
                                 attachments=[ics_attachment(event)])
    enqueue_copies(mailing.id, recipients, utcnow())
    return count


def send_update(event: AnnouncementEvent) -> int:
    return mail_answered(event, answered(event), f"event.update:{event.id}:{event.sequence}",
                         "announcements/event_update", _("Changed: %(title)s", title=event.title))


def reminder_lead() -> int:
    return int(current_app.config["EVENT_REMINDER_BEFORE"])
