"""What a member does with drafts besides writing them: delete one, start a new draft from
any announcement, and see their own drafts and the ones waiting for their review."""

import sqlalchemy as sa
from flask_babel import gettext as _

from listserve.announcements.models import Announcement, AnnouncementStatus
from listserve.announcements.services import (
    AnnouncementError,
    NotAllowed,
    content_of,
    create_announcement,
    current_approvals,
    may_approve,
    save_translation,
)
from listserve.committee.audit import record_audit
from listserve.committee.models import CommitteeMember
from listserve.core.lists import MailingList
from listserve.extensions import db


def delete_draft(announcement: Announcement, actor: CommitteeMember) -> None:
    """Raises NotAllowed (not the author or an admin) or AnnouncementError (not a draft)."""
    if actor.id != announcement.author_id and not actor.is_admin:
        raise NotAllowed(_("Only the author or an admin can delete this draft."))
    if announcement.status != AnnouncementStatus.DRAFT:
        raise AnnouncementError(_("Only a draft can be deleted (unschedule it first)."))
    subject = announcement.subject
    record_audit(actor, "deleted", "announcement", announcement.id,
                 announcement.current_revision.content_hash, {"subject": subject})
    db.session.delete(announcement)  # revisions, approvals and comments go with it
    db.session.flush()


def duplicate_announcement(announcement: Announcement, actor: CommitteeMember) -> Announcement:
    """A new draft by `actor` with the current text in every language. Raises
    AnnouncementError."""
    content = content_of(announcement.current_revision)
    subject = _("Copy of %(subject)s", subject=content.subject)[:300]
    copy = create_announcement(actor, subject, content.body, content.next_steps)
    for language, revision in announcement.translations.items():  # translations come along
        save_translation(copy, actor, language, revision.subject, revision.body,
                         revision.next_steps)
    db.session.flush()
    record_audit(actor, "duplicated", "announcement", copy.id, None, {"from": announcement.id})
    return copy


def my_drafts(member: CommitteeMember) -> list[Announcement]:
    return list(db.session.scalars(
        sa.select(Announcement)
        .where(Announcement.author_id == member.id,
               Announcement.status == AnnouncementStatus.DRAFT)
        .order_by(Announcement.id.desc())
    ))


def waiting_for_review(member: CommitteeMember) -> list[Announcement]:
    """Drafts this member may approve, has not approved, and that still need approvals."""
    drafts = db.session.scalars(
        sa.select(Announcement)
        .where(Announcement.status == AnnouncementStatus.DRAFT,
               sa.or_(Announcement.author_id.is_(None), Announcement.author_id != member.id))
        .order_by(Announcement.id.desc())
    )
    waiting = []
    for draft in drafts:
        approvals = current_approvals(draft)
        needed = db.session.get(MailingList, draft.list_id).required_approvals
        approved_by_me = any(approval.member_id == member.id for approval in approvals)
        if may_approve(draft, member) and not approved_by_me and len(approvals) < needed:
            waiting.append(draft)
    return waiting


__all__ = ["delete_draft", "duplicate_announcement", "my_drafts",
           "waiting_for_review"]
