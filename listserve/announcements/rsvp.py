"""Readers' answers to an event (yes / no / maybe): given on the archive page, proven by a
button in a mail (as comments are), confirmed by a mail that carries the event's .ics; the
committee's counts, list and export; and the reminder that goes to "yes" answers once."""

import csv
import io
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from listserve.announcements.event_models import AnnouncementEvent, Answer, EventRsvp
from listserve.announcements.events import (
    event_blocks,
    fits_id,
    ics_attachment,
)
from listserve.announcements.models import Announcement, AnnouncementStatus
from listserve.core.addresses import normalise_address
from listserve.core.db import utcnow
from listserve.core.headers import check_header_value, has_control_characters
from listserve.core.lists import MailingList
from listserve.core.tokens import TokenError, make_timed_token, read_timed_token
from listserve.core.urls import external_url
from listserve.delivery.outbox import enqueue_notice
from listserve.extensions import db

# The answers as a person reads them (in mail subjects).
ANSWER_LABELS = {Answer.YES: _l("yes"), Answer.NO: _l("no"), Answer.MAYBE: _l("maybe")}

VERIFY_PURPOSE = "verify-rsvp"


class RsvpRefused(ValueError):
    """The answer cannot be taken as written; the message says why, for the person."""


@dataclass(frozen=True)
class RsvpDraft:
    answer: str
    name: str
    email: str
    note: str = ""


def open_event(event_id: int) -> AnnouncementEvent | None:
    """An event people may answer: its announcement went out."""
    event = db.session.get(AnnouncementEvent, event_id) if fits_id(event_id) else None
    if event is None:
        return None
    announcement = db.session.get(Announcement, event.announcement_id)
    return event if announcement.status == AnnouncementStatus.SENT else None


def submit_rsvp(event: AnnouncementEvent, draft: RsvpDraft) -> EventRsvp:
    """Keep the answer waiting and mail the button that proves the address. Raises
    InvalidAddress, UnsafeHeaderValue and RsvpRefused before anything is stored."""
    address, key = normalise_address(draft.email)
    if draft.answer not in set(Answer):
        raise RsvpRefused(_("Please answer yes, no or maybe."))
    name = " ".join((draft.name or "").split())
    if not name or len(name) > 200 or has_control_characters(name):
        raise RsvpRefused(_("Please give your name (up to 200 characters)."))
    check_header_value(name, "name")
    note = (draft.note or "").replace("\r\n", "\n").strip()
    if len(note) > 1000 or any(has_control_characters(x) for x in note.split("\n")):
        raise RsvpRefused(_("Please keep the note under 1000 characters of plain text."))
    if event.starts_at <= utcnow():
        raise RsvpRefused(_("This event has started; answers are closed."))
    rsvp = db.session.scalar(sa.select(EventRsvp).filter_by(event_id=event.id, email_key=key))
    if rsvp is None:
        rsvp = EventRsvp(event=event, email=address, email_key=key)
        db.session.add(rsvp)
    rsvp.asked_name, rsvp.asked_answer, rsvp.asked_note = name, draft.answer, note
    rsvp.asked_at = utcnow()
    rsvp.verify_nonce = rsvp.verify_nonce or secrets.token_hex(8)
    db.session.flush()
    _send_verification(rsvp)
    return rsvp


def _send_verification(rsvp: EventRsvp) -> None:
    now = utcnow()
    interval = timedelta(seconds=current_app.config["COMMENT_VERIFY_RESEND_INTERVAL"])
    if rsvp.verification_sent_at and now - rsvp.verification_sent_at < interval:
        return  # the mail on its way confirms the latest answer too
    rsvp.verification_sent_at = now
    event = rsvp.event
    token = make_timed_token(VERIFY_PURPOSE, [rsvp.id, rsvp.verify_nonce])
    enqueue_notice(
        purpose="rsvp.verify", template="announcements/rsvp_verify",
        subject=_("Please confirm your answer: %(title)s", title=event.title),
         mailing_list=_list_of(event),
        recipient=rsvp.email, recipient_name=rsvp.asked_name, event=event_blocks([event])[0],
        verify_url=external_url("events.confirm", token=token),
        max_age_days=current_app.config["CONFIRM_MAX_AGE"] // 86400,
    )


def _list_of(event: AnnouncementEvent) -> MailingList:
    return db.session.get(MailingList,
                          db.session.get(Announcement, event.announcement_id).list_id)


def rsvp_for_confirmation(token: str) -> EventRsvp:
    """The waiting answer a link is for, changing nothing (raises TokenExpired, TokenError)."""
    payload = read_timed_token(VERIFY_PURPOSE, token, current_app.config["CONFIRM_MAX_AGE"])
    try:
        rsvp_id, nonce = payload
    except (TypeError, ValueError):
        raise TokenError(_("This link is not valid.")) from None
    rsvp = db.session.get(EventRsvp, rsvp_id) if isinstance(rsvp_id, int) else None
    if rsvp is None or rsvp.verify_nonce is None or not secrets.compare_digest(
            str(nonce), rsvp.verify_nonce):
        raise TokenError(_("This link has already been used or is no longer valid."))
    return rsvp


def confirm_rsvp(token: str) -> EventRsvp:
    """The answer counts from now on; its confirmation mail carries the event's .ics."""
    rsvp = rsvp_for_confirmation(token)
    rsvp.name, rsvp.answer, rsvp.note = rsvp.asked_name, rsvp.asked_answer, rsvp.asked_note
    rsvp.verify_nonce = None
    rsvp.verification_sent_at = None
    rsvp.confirmed_at = utcnow()
    event = rsvp.event
    enqueue_notice(
        purpose="rsvp.confirmed", template="announcements/rsvp_confirmed",
        subject=_("Your answer: %(answer)s · %(title)s",
                  answer=ANSWER_LABELS.get(rsvp.answer, rsvp.answer), title=event.title),
         mailing_list=_list_of(event),
        recipient=rsvp.email, recipient_name=rsvp.name, rsvp=rsvp,
        event=event_blocks([event])[0], attachments=[ics_attachment(event)],
    )
    db.session.flush()
    return rsvp


def answer_counts(event: AnnouncementEvent) -> dict[str, int]:
    counted = dict(db.session.execute(
        sa.select(EventRsvp.answer, sa.func.count(EventRsvp.id))
        .where(EventRsvp.event_id == event.id, EventRsvp.answer.is_not(None))
        .group_by(EventRsvp.answer)).all())
    return {answer.value: counted.get(answer.value, 0) for answer in Answer}


def attendees(event: AnnouncementEvent) -> list[EventRsvp]:
    return list(db.session.scalars(
        sa.select(EventRsvp).where(EventRsvp.event_id == event.id, EventRsvp.answer.is_not(None))
        .order_by(EventRsvp.answer, sa.func.lower(EventRsvp.name))))


def attendees_csv(event: AnnouncementEvent) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["answer", "name", "email", "note", "confirmed_at"])
    for rsvp in attendees(event):
        writer.writerow([_cell(x) for x in (rsvp.answer, rsvp.name, rsvp.email, rsvp.note,
                                            rsvp.confirmed_at.isoformat())])
    return out.getvalue()


def _cell(text: str) -> str:
    # A spreadsheet runs a cell that starts with one of these as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def erase_rsvps(email_key: str) -> None:
    db.session.execute(sa.delete(EventRsvp).where(EventRsvp.email_key == email_key))


def export_rsvps(email_key: str) -> list[dict]:
    rows = db.session.execute(
        sa.select(EventRsvp, AnnouncementEvent.title)
        .join(AnnouncementEvent, AnnouncementEvent.id == EventRsvp.event_id)
        .where(EventRsvp.email_key == email_key).order_by(EventRsvp.id)).all()
    return [{"event": title, "answer": rsvp.answer, "name": rsvp.name or rsvp.asked_name,
             "note": rsvp.note, "asked_at": rsvp.asked_at.isoformat(),
             "confirmed_at": rsvp.confirmed_at.isoformat() if rsvp.confirmed_at else None}
            for rsvp, title in rows]
