"""Watching and steering a send: progress, pause, resume, cancel.

The delivery engine's own control module (listserve.delivery.control) is being built beside
this; until it lands these stand in for it, and the views call nothing else, so swapping is
a change to this file alone.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from listserve.announcements.models import Announcement, AnnouncementStatus, Revision
from listserve.announcements.services import AnnouncementError, NotAllowed
from listserve.committee.audit import record_audit
from listserve.committee.models import CommitteeMember
from listserve.delivery.control import announcement_mailings, send_state
from listserve.delivery.models import Mailing, MailingStatus, OutboxEntry, OutboxStatus
from listserve.extensions import db


@dataclass(frozen=True)
class Progress:
    status: str  # the mailing's: active, paused, cancelled
    queued: int  # still to go (queued or retrying)
    sent: int
    failed: int
    cancelled: int
    total: int
    per_minute: float | None  # copies sent per minute so far
    seconds_left: int | None

    @property
    def done(self) -> bool:
        return self.queued == 0 or self.status == MailingStatus.CANCELLED

    @property
    def state(self) -> str:
        """What the committee reads: "finished" once every copy is out, else the status
        (the same word `listserve mailings progress` prints)."""
        return send_state(self.status, self.queued)


def announcement_progress(announcement: Announcement) -> Progress | None:
    """Counts of the announcement's copies by state, the sending rate and the time left."""
    mailing = db.session.get(Mailing, announcement.mailing_id) if announcement.mailing_id else None
    if mailing is None:
        return None
    # Every language's mailing counts (one per language; the first is the default language's).
    ids = [m.id for m in announcement_mailings(announcement.id)] or [mailing.id]
    counts = dict(db.session.execute(
        sa.select(OutboxEntry.status, sa.func.count(OutboxEntry.id))
        .where(OutboxEntry.mailing_id.in_(ids)).group_by(OutboxEntry.status)
    ).all())
    first, last = db.session.execute(
        sa.select(sa.func.min(OutboxEntry.sent_at), sa.func.max(OutboxEntry.sent_at))
        .where(OutboxEntry.mailing_id.in_(ids), OutboxEntry.status == OutboxStatus.SENT)
    ).one()
    sent = counts.get(OutboxStatus.SENT, 0)
    queued = counts.get(OutboxStatus.QUEUED, 0) + counts.get(OutboxStatus.RETRYING, 0)
    per_minute = seconds_left = None
    if first and last and last > first and sent > 1:
        rate = (sent - 1) / (last - first).total_seconds()
        per_minute = round(rate * 60, 1)
        seconds_left = round(queued / rate) if queued else 0
    return Progress(
        status=mailing.status, queued=queued, sent=sent,
        failed=counts.get(OutboxStatus.FAILED, 0),
        cancelled=counts.get(OutboxStatus.CANCELLED, 0), total=sum(counts.values()),
        per_minute=per_minute, seconds_left=seconds_left,
    )


# Why pausing, resuming or cancelling cannot happen now, for each of the three actions.
REFUSED_STEERING = {
    "paused": _l("Sending cannot be paused now (it is %(status)s)."),
    "resumed": _l("Sending cannot be resumed now (it is %(status)s)."),
    "cancelled": _l("Sending cannot be cancelled now (it is %(status)s)."),
}


def _steer(announcement: Announcement, actor: CommitteeMember, allowed_from: set, to: str,
           action: str) -> None:
    if actor.id != announcement.author_id and not actor.is_admin:
        raise NotAllowed(_("Only the author or an admin can do that."))
    mailing = db.session.get(Mailing, announcement.mailing_id) if announcement.mailing_id else None
    if announcement.status != AnnouncementStatus.SENT or mailing is None:
        raise AnnouncementError(_("This announcement is not being sent."))
    if mailing.status not in allowed_from:
        raise AnnouncementError(REFUSED_STEERING[action] % {"status": mailing.status})
    for each in announcement_mailings(announcement.id):  # every language's, steered together
        if each.status in allowed_from:
            each.status = to
    mailing.status = to
    db.session.flush()
    sent = db.session.get(Revision, announcement.sent_revision_id)
    record_audit(actor, action, "announcement", announcement.id,
                 sent.content_hash if sent else None, {"mailing": mailing.id})


def pause_sending(announcement: Announcement, actor: CommitteeMember) -> None:
    """Raises NotAllowed, AnnouncementError."""
    _steer(announcement, actor, {MailingStatus.ACTIVE}, MailingStatus.PAUSED, "paused")


def resume_sending(announcement: Announcement, actor: CommitteeMember) -> None:
    """Raises NotAllowed, AnnouncementError."""
    _steer(announcement, actor, {MailingStatus.PAUSED}, MailingStatus.ACTIVE, "resumed")


def cancel_sending(announcement: Announcement, actor: CommitteeMember) -> None:
    """Copies not yet sent stay unsent. Raises NotAllowed, AnnouncementError."""
    _steer(announcement, actor, {MailingStatus.ACTIVE, MailingStatus.PAUSED},
           MailingStatus.CANCELLED, "cancelled")
