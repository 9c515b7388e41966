"""Controlling a send (pause, resume, cancel) and reading its progress, for the committee's
pages and the command line. Services: they flush, the caller commits."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from listserve.core.db import utcnow
from listserve.delivery.models import (
    Mailing,
    MailingKind,
    MailingStatus,
    OutboxEntry,
    OutboxStatus,
)
from listserve.extensions import db

RATE_WINDOW = timedelta(seconds=30)


class MailingNotFound(LookupError):
    """No mailing has this id (or the announcement named has none)."""


class MailingFinished(ValueError):
    """The send was cancelled: it cannot be paused or resumed any more."""


@dataclass(frozen=True)
class Progress:
    queued: int
    sent: int
    retrying: int
    failed: int
    cancelled: int
    total: int
    rate_per_second: float  # copies sent a second, over the last half minute
    seconds_left: float | None  # None while nothing is being sent

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.cancelled

    @property
    def finished(self) -> bool:
        return self.queued == 0 and self.retrying == 0

    def state(self, status: str) -> str:
        """What people read for a send with this mailing status (see send_state)."""
        return send_state(status, self.queued + self.retrying)


def send_state(status: str, still_to_go: int) -> str:
    """One word for a send, the same on the committee's pages and the command line:
    "finished" once an active send has nothing left to go, else its status (active,
    paused, cancelled)."""
    if status == MailingStatus.ACTIVE and still_to_go == 0:
        return "finished"
    return status


def announcement_purpose(announcement_id: int) -> str:
    """The purpose an announcement's mailing is queued with: at most one such mailing."""
    return f"announcement:{announcement_id}"


def translation_purpose(announcement_id: int, language: str) -> str:
    """The purpose of the mailing that sends an announcement's translation into `language`
    (one mailing per language; the default language's is announcement_purpose)."""
    return f"{announcement_purpose(announcement_id)}:{language}"


def announcement_id_of(mailing: Mailing) -> int | None:
    """The announcement a mailing sends (in any language), read back from its purpose; None
    for notices."""
    prefix = announcement_purpose(0)[:-1]
    if mailing.kind != MailingKind.ANNOUNCEMENT or not mailing.purpose.startswith(prefix):
        return None
    number = mailing.purpose[len(prefix):].split(":", 1)[0]
    return int(number) if number.isdigit() else None


def announcement_mailings(announcement_id: int) -> list[Mailing]:
    """Every mailing that sends this announcement: the default language's first, then one per
    translation."""
    purpose = announcement_purpose(announcement_id)
    return list(db.session.scalars(sa.select(Mailing).where(
        Mailing.kind == MailingKind.ANNOUNCEMENT,
        sa.or_(Mailing.purpose == purpose, Mailing.purpose.startswith(f"{purpose}:")),
    ).order_by(Mailing.id)))


def get_mailing(mailing_id: int) -> Mailing:
    mailing = db.session.get(Mailing, mailing_id)
    if mailing is None:
        raise MailingNotFound(_("There is no mailing %(id)s.", id=mailing_id))
    return mailing


def get_announcement_mailing(announcement_id: int) -> Mailing:
    """The mailing that sends this announcement. Raises MailingNotFound."""
    mailing = db.session.scalar(sa.select(Mailing).where(
        Mailing.kind == MailingKind.ANNOUNCEMENT,
        Mailing.purpose == announcement_purpose(announcement_id),
    ))
    if mailing is None:
        raise MailingNotFound(_(
            "Announcement %(id)s has not been sent: there is no mailing for it.",
            id=announcement_id))
    return mailing


def pause_mailing(mailing: Mailing) -> None:
    """Stop sending: workers give back what they hold at their next group. Raises
    MailingFinished for a cancelled send."""
    if mailing.status == MailingStatus.CANCELLED:
        raise MailingFinished(_("This send was cancelled."))
    mailing.status = MailingStatus.PAUSED
    db.session.flush()


def resume_mailing(mailing: Mailing) -> None:
    """Carry on from where the send stopped. Raises MailingFinished for a cancelled send."""
    if mailing.status == MailingStatus.CANCELLED:
        raise MailingFinished(_("This send was cancelled."))
    mailing.status = MailingStatus.ACTIVE
    db.session.flush()


def cancel_mailing(mailing: Mailing) -> int:
    """Stop for good: every copy not yet sent is marked cancelled. Return how many."""
    mailing.status = MailingStatus.CANCELLED
    result = db.session.execute(
        sa.update(OutboxEntry)
        .where(
            OutboxEntry.mailing_id == mailing.id,
            OutboxEntry.status.in_([OutboxStatus.QUEUED.value, OutboxStatus.RETRYING.value]),
        )
        .values(status=OutboxStatus.CANCELLED.value, last_reply="not sent: the send was cancelled")
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return result.rowcount


def mailing_progress(mailing_id: int) -> Progress:
    """Counts by state, the current rate and the time left, from two small queries."""
    counts = dict(
        db.session.execute(
            sa.select(OutboxEntry.status, sa.func.count())
            .where(OutboxEntry.mailing_id == mailing_id)
            .group_by(OutboxEntry.status)
        ).all()
    )
    now = utcnow()
    recent, first_sent = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(OutboxEntry.sent_at)).where(
            OutboxEntry.mailing_id == mailing_id, OutboxEntry.sent_at >= now - RATE_WINDOW
        )
    ).one()
    rate = 0.0
    if recent and first_sent is not None:
        window = max((now - first_sent).total_seconds(), 1.0)
        rate = recent / window
    queued = counts.get(OutboxStatus.QUEUED.value, 0)
    retrying = counts.get(OutboxStatus.RETRYING.value, 0)
    return Progress(
        queued=queued,
        sent=counts.get(OutboxStatus.SENT.value, 0),
        retrying=retrying,
        failed=counts.get(OutboxStatus.FAILED.value, 0),
        cancelled=counts.get(OutboxStatus.CANCELLED.value, 0),
        total=sum(counts.values()),
        rate_per_second=rate,
        seconds_left=(queued + retrying) / rate if rate else None,
    )
