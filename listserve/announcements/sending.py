"""Test sends, sending now, scheduling, and starting scheduled sends when they fall due.

Sending renders the approved revision alone (listserve.announcements.content), hands it to the
delivery engine and publishes it to the archive in the same transaction, and writes the
revision's hash into the audit event "sent".
"""

from datetime import datetime

import sqlalchemy as sa

from listserve.announcements.content import (
    PREVIEW_UNSUBSCRIBE_URL,
    archive_html,
    content_hash,
    full_markdown,
    render_email,
)
from listserve.announcements.models import Announcement, AnnouncementStatus
from listserve.announcements.services import (
    AnnouncementError,
    NotAllowed,
    content_of,
    current_approvals,
)
from listserve.archive.services import post_url, publish_post
from listserve.committee.audit import SCHEDULER, record_audit
from listserve.committee.models import CommitteeMember
from listserve.dbtypes import utcnow
from listserve.delivery.models import Mailing, OutboxEntry
from listserve.delivery.outbox import UNSUBSCRIBE_URL, enqueue_announcement, enqueue_notice
from listserve.extensions import db
from listserve.subscriptions.models import MailingList


def send_test(announcement: Announcement, member: CommitteeMember) -> None:
    """Mail the current revision to this member alone, as subscribers would see it."""
    revision = announcement.current_revision
    rendered = render_email(content_of(revision), PREVIEW_UNSUBSCRIBE_URL)
    enqueue_notice(
        purpose=f"announcement-test:{announcement.id}",
        template="announcements/test_send",
        subject=f"[Test] {revision.subject}",
        mailing_list=db.session.get(MailingList, announcement.list_id),
        recipient=member.email,
        recipient_name=member.name,
        rendered=rendered,
    )
    record_audit(member, "test sent", "announcement", announcement.id, revision.content_hash,
                 {"revision": revision.number, "to": member.email})


def check_may_send(announcement: Announcement, actor: CommitteeMember, reason: str | None):
    """Raises NotAllowed (not the author or an admin; a reason from a non-admin) or
    AnnouncementError (too few approvals and no reason; a revision whose text no longer
    matches its hash)."""
    if actor.id != announcement.author_id and not actor.is_admin:
        raise NotAllowed("Only the author or an admin can send or schedule this announcement.")
    if reason and not actor.is_admin:
        raise NotAllowed("Only an admin can send without the approvals.")
    revision = announcement.current_revision
    if content_hash(content_of(revision)) != revision.content_hash:
        raise AnnouncementError("This revision's stored text does not match its hash.")
    needed = db.session.get(MailingList, announcement.list_id).required_approvals
    have = len(current_approvals(announcement))
    if have < needed and not reason:
        raise AnnouncementError(
            f"This announcement needs {needed} approval{'s' if needed != 1 else ''} of its "
            f"current revision before it can be sent; it has {have}."
        )


def send_announcement(
    announcement: Announcement, actor: CommitteeMember, reason: str | None = None,
    via: str = "web",
) -> Mailing:
    """Send the current (approved) revision now. Raises NotAllowed, AnnouncementError."""
    if announcement.status != AnnouncementStatus.DRAFT:
        raise AnnouncementError("Only a draft can be sent (a scheduled one: unschedule it first).")
    reason = (reason or "").strip() or None
    check_may_send(announcement, actor, reason)
    return _start_sending(announcement, actor, reason, via)


def _start_sending(announcement, actor, reason, via) -> Mailing:
    revision = announcement.current_revision
    content = content_of(revision)
    approvals = current_approvals(announcement)
    rendered = render_email(content, UNSUBSCRIBE_URL)
    now = utcnow()
    post = publish_post(
        subject=content.subject, body_markdown=full_markdown(content),
        body_html=archive_html(content), published_at=now, announcement_id=announcement.id,
    )
    mailing = enqueue_announcement(
        mailing_list=db.session.get(MailingList, announcement.list_id),
        purpose=f"announcement:{announcement.id}",
        subject=rendered.subject, text_body=rendered.text, html_body=rendered.html,
        archived_at=post_url(post),
    )
    post.mailing_id = mailing.id
    announcement.status = AnnouncementStatus.SENT
    announcement.sent_at = now
    announcement.sent_revision_id = revision.id
    announcement.mailing_id = mailing.id
    announcement.post_id = post.id
    db.session.flush()
    recipients = db.session.scalar(
        sa.select(sa.func.count(OutboxEntry.id)).filter_by(mailing_id=mailing.id)
    )
    record_audit(actor, "sent", "announcement", announcement.id, revision.content_hash, {
        "revision": revision.number, "via": via, "reason": reason,
        "approved by": [approval.member.label for approval in approvals],
        "recipients": recipients, "mailing": mailing.id, "archive": post_url(post),
    })
    return mailing


def schedule_announcement(
    announcement: Announcement, actor: CommitteeMember, when: datetime, reason: str | None = None
) -> None:
    """Send the current revision at `when` (aware). Raises NotAllowed, AnnouncementError."""
    if announcement.status != AnnouncementStatus.DRAFT:
        raise AnnouncementError("Only a draft can be scheduled.")
    if when <= utcnow():
        raise AnnouncementError("Please choose a time in the future.")
    reason = (reason or "").strip() or None
    check_may_send(announcement, actor, reason)
    announcement.status = AnnouncementStatus.SCHEDULED
    announcement.scheduled_at = when
    announcement.scheduled_by_id = actor.id
    announcement.override_reason = reason
    db.session.flush()
    record_audit(actor, "scheduled", "announcement", announcement.id,
                 announcement.current_revision.content_hash,
                 {"for": announcement.scheduled_at.isoformat(), "reason": reason})


def unschedule_announcement(announcement: Announcement, actor: CommitteeMember) -> None:
    """Back to a draft. Raises NotAllowed, AnnouncementError."""
    if announcement.status != AnnouncementStatus.SCHEDULED:
        raise AnnouncementError("This announcement is not scheduled.")
    if actor.id != announcement.author_id and not actor.is_admin:
        raise NotAllowed("Only the author or an admin can unschedule this announcement.")
    announcement.status = AnnouncementStatus.DRAFT
    announcement.scheduled_at = None
    announcement.override_reason = None
    db.session.flush()
    record_audit(actor, "unscheduled", "announcement", announcement.id,
                 announcement.current_revision.content_hash)


def start_due_announcements(now: datetime) -> list[int]:
    """Start every scheduled send that is due. A job, like a worker batch: commits each one.

    Several workers may call this at once: the conditional UPDATE lets exactly one start each.
    """
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
    _start_sending(announcement, actor, announcement.override_reason, "schedule")

