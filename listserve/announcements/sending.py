"""Test sends, sending now, scheduling, and starting scheduled sends when they fall due.

Sending renders the approved revision alone (listserve.announcements.content), hands it to the
delivery engine and publishes it to the archive in the same transaction, and writes the
revision's hash into the audit event "sent".
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from listserve.announcements.content import (
    PREVIEW_UNSUBSCRIBE_URL,
    archive_html,
    content_hash,
    full_markdown,
    render_email,
)
from listserve.announcements.events import event_blocks, events_of, ics_attachment
from listserve.announcements.models import Announcement, AnnouncementStatus
from listserve.announcements.services import (
    AnnouncementError,
    NotAllowed,
    content_of,
    current_approvals,
    default_language,
    set_hash,
    versions,
)
from listserve.archive.services import add_post_translation, post_url, publish_post
from listserve.committee.audit import record_audit
from listserve.committee.models import CommitteeMember
from listserve.core.db import utcnow
from listserve.core.events import emit
from listserve.core.lists import MailingList
from listserve.delivery.control import (
    announcement_mailings,
    announcement_purpose,
    translation_purpose,
)
from listserve.delivery.hooks import current_hooks
from listserve.delivery.models import Mailing, OutboxEntry
from listserve.delivery.outbox import UNSUBSCRIBE_URL, enqueue_announcement, enqueue_notice
from listserve.extensions import db


def send_test(announcement: Announcement, member: CommitteeMember) -> None:
    """Mail the current version in each language to this member alone, as subscribers would
    see it (each in its language, footer included)."""
    carried = events_of(announcement.id)
    mailing_list = db.session.get(MailingList, announcement.list_id)
    for language, revision in versions(announcement).items():
        with force_locale(language):
            rendered = render_email(content_of(revision), PREVIEW_UNSUBSCRIBE_URL,
                                    event_blocks(carried), mailing_list)
        enqueue_notice(
            purpose=f"announcement-test:{announcement.id}",
            template="announcements/test_send",
            subject=_("[Test] %(subject)s", subject=rendered.subject),
            mailing_list=mailing_list,
            recipient=member.email,
            recipient_name=member.name,
            rendered=rendered,
            attachments=[ics_attachment(event, n) for n, event in enumerate(carried)],
        )
    record_audit(member, "test sent", "announcement", announcement.id, set_hash(announcement),
                 {"revision": announcement.latest_revision.number, "to": member.email})


def check_may_send(announcement: Announcement, actor: CommitteeMember, reason: str | None):
    """Raises NotAllowed (not the author or an admin; a reason from a non-admin) or
    AnnouncementError (too few approvals and no reason; a revision whose text no longer
    matches its hash)."""
    if actor.id != announcement.author_id and not actor.is_admin:
        raise NotAllowed(_("Only the author or an admin can send or schedule this announcement."))
    if reason and not actor.is_admin:
        raise NotAllowed(_("Only an admin can send without the approvals."))
    for revision in versions(announcement).values():
        if content_hash(content_of(revision)) != revision.content_hash:
            raise AnnouncementError(_("This revision's stored text does not match its hash."))
    mailing_list = db.session.get(MailingList, announcement.list_id)
    if mailing_list.archived:
        raise AnnouncementError(_("The list %(list)s is archived: nothing more is sent to it.",
                                  list=mailing_list.name))
    needed = mailing_list.required_approvals
    have = len(current_approvals(announcement))
    if have < needed and not reason:
        raise AnnouncementError(ngettext(
            "This announcement needs %(num)d approval of its current revision before it can "
            "be sent; it has %(have)d.",
            "This announcement needs %(num)d approvals of its current revision before it can "
            "be sent; it has %(have)d.", needed, have=have))


def send_announcement(
    announcement: Announcement, actor: CommitteeMember, reason: str | None = None,
    via: str = "web",
) -> Mailing:
    """Send the current (approved) revision now. Raises NotAllowed, AnnouncementError."""
    if announcement.status != AnnouncementStatus.DRAFT:
        raise AnnouncementError(
            _("Only a draft can be sent (a scheduled one: unschedule it first)."))
    reason = (reason or "").strip() or None
    check_may_send(announcement, actor, reason)
    return start_sending(announcement, actor, reason, via)


def recipient_count(announcement: Announcement) -> int:
    """How many copies sending now would queue: the list's current recipients."""
    recipients = current_hooks().recipients(announcement.list_id).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(recipients)) or 0


def start_sending(announcement, actor, reason, via) -> Mailing:
    """Publish every version to the archive and queue one mailing per language: a translation's
    to the subscribers whose language it is, the default version's to everyone else (no
    language stated, or one with no translation). Return the default version's mailing."""
    revision = announcement.current_revision
    content = content_of(revision)
    translations = announcement.translations
    approvals = current_approvals(announcement)
    approved_hash = set_hash(announcement)
    mailing_list = db.session.get(MailingList, announcement.list_id)
    now = utcnow()
    post = publish_post(
        subject=content.subject, body_markdown=full_markdown(content),
        body_html=archive_html(content), published_at=now, announcement_id=announcement.id,
        list_id=mailing_list.id,
    )
    for language, translation in translations.items():
        translated = content_of(translation)
        add_post_translation(post, language, translated.subject, full_markdown(translated),
                             archive_html(translated))
    announcement.post_id = post.id  # the events' links point at the post
    carried = events_of(announcement.id)
    recipients_of = current_hooks().recipients
    mailing = _enqueue_version(
        announcement, mailing_list, content, carried, post, default_language(),
        announcement_purpose(announcement.id),
        recipients_of(mailing_list.id, other_than=list(translations)),
    )
    for language, translation in translations.items():
        _enqueue_version(announcement, mailing_list, content_of(translation), carried, post,
                         language, translation_purpose(announcement.id, language),
                         recipients_of(mailing_list.id, language=language))
    post.mailing_id = mailing.id
    announcement.status = AnnouncementStatus.SENT
    announcement.sent_at = now
    announcement.sent_revision_id = revision.id
    announcement.mailing_id = mailing.id
    announcement.post_id = post.id
    db.session.flush()
    recipients = db.session.scalar(sa.select(sa.func.count(OutboxEntry.id)).where(
        OutboxEntry.mailing_id.in_([m.id for m in announcement_mailings(announcement.id)])
    ))
    record_audit(actor, "sent", "announcement", announcement.id, approved_hash, {
        "revision": announcement.latest_revision.number, "via": via, "reason": reason,
        "languages": list(versions(announcement)),
        "approved by": [approval.member.label for approval in approvals],
        "recipients": recipients, "mailing": mailing.id, "archive": post_url(post),
    })
    emit("announcement.sent", {"announcement_id": announcement.id, "subject": content.subject,
                               "recipients": recipients, "archive_url": post_url(post)})
    return mailing


def _enqueue_version(announcement, mailing_list, content, carried, post, language, purpose,
                     recipients) -> Mailing:
    """One language's mailing, rendered in that language (the footer too), its links to the
    archive pointing at that language's page. One INSERT … SELECT of its recipients."""
    translated = language != default_language()
    web_url = post_url(post, language if translated else None)
    with force_locale(language):
        rendered = render_email(content, UNSUBSCRIBE_URL, event_blocks(carried), mailing_list,
                                web_url=web_url)
    return enqueue_announcement(
        mailing_list=mailing_list, purpose=purpose, language=language,
        subject=rendered.subject, text_body=rendered.text, html_body=rendered.html,
        archived_at=web_url, reply_to=_reply_to(mailing_list, announcement),
        attachments=[ics_attachment(event, n) for n, event in enumerate(carried)],
        recipients=recipients,
    )


def _reply_to(mailing_list: MailingList, announcement: Announcement) -> str | None:
    """The list's reply-to policy: none (replies go to From), the list, or the author."""
    if mailing_list.reply_to_policy == "list":
        return mailing_list.address
    if mailing_list.reply_to_policy == "author" and announcement.author is not None:
        return announcement.author.email
    return None


def schedule_announcement(
    announcement: Announcement, actor: CommitteeMember, when: datetime, reason: str | None = None
) -> None:
    """Send the current revision at `when` (aware). Raises NotAllowed, AnnouncementError."""
    if announcement.status != AnnouncementStatus.DRAFT:
        raise AnnouncementError(_("Only a draft can be scheduled."))
    if when <= utcnow():
        raise AnnouncementError(_("Please choose a time in the future."))
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
        raise AnnouncementError(_("This announcement is not scheduled."))
    if actor.id != announcement.author_id and not actor.is_admin:
        raise NotAllowed(_("Only the author or an admin can unschedule this announcement."))
    announcement.status = AnnouncementStatus.DRAFT
    announcement.scheduled_at = None
    announcement.override_reason = None
    db.session.flush()
    record_audit(actor, "unscheduled", "announcement", announcement.id,
                 announcement.current_revision.content_hash)
