"""Drafting and review: revisions, approvals bound to a revision's hash, comments.
Flush, never commit."""

import difflib

import sqlalchemy as sa
from flask_babel import gettext as _

from listserve.announcements.content import Content, content_hash, full_markdown, normalise_text
from listserve.announcements.models import (
    Announcement,
    AnnouncementStatus,
    Approval,
    ReviewComment,
    Revision,
)
from listserve.committee.audit import record_audit
from listserve.committee.models import CommitteeMember
from listserve.core.headers import check_header_value
from listserve.core.lists import MailingList, get_default_list
from listserve.extensions import db


class AnnouncementError(Exception):
    """Something asked of an announcement that cannot be done now; the message says why."""


class NotAllowed(AnnouncementError):
    """This member may not do that (a 403)."""


def content_of(revision: Revision) -> Content:
    return Content(subject=revision.subject, body=revision.body, next_steps=revision.next_steps)


def _clean_content(subject: str, body: str, next_steps: str) -> Content:
    subject = check_header_value((subject or "").strip(), "subject")
    if not subject:
        raise AnnouncementError(_("Please give the announcement a subject."))
    if not (body or "").strip():
        raise AnnouncementError(_("Please write the announcement's text."))
    steps = normalise_text(next_steps) if (next_steps or "").strip() else ""
    return Content(subject=subject, body=normalise_text(body), next_steps=steps)


def _add_revision(announcement: Announcement, author, content: Content, number: int) -> Revision:
    revision = Revision(
        announcement=announcement, number=number, subject=content.subject, body=content.body,
        next_steps=content.next_steps, content_hash=content_hash(content),
        author_id=author.id if author else None,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def create_announcement(
    author: CommitteeMember | None, subject: str, body: str, next_steps: str = "", via=None,
    mailing_list: MailingList | None = None,
) -> Announcement:
    """A new draft with its first revision, for `mailing_list` (default: the main list).
    Raises AnnouncementError (an archived list, empty fields), UnsafeHeaderValue."""
    content = _clean_content(subject, body, next_steps)
    mailing_list = mailing_list or get_default_list()
    if mailing_list.archived:
        raise AnnouncementError(_("The list %(list)s is archived: nothing more is sent to it.",
                                  list=mailing_list.name))
    announcement = Announcement(list_id=mailing_list.id,
                                author_id=author.id if author else None)
    db.session.add(announcement)
    revision = _add_revision(announcement, author, content, 1)
    record_audit(author or via, "drafted", "announcement", announcement.id,
                 revision.content_hash, _via(via, subject=content.subject, revision=1,
                                             list=mailing_list.address))
    return announcement


def _via(via: str | None, **detail) -> dict:
    return {**detail, "via": via} if via else detail


def save_revision(
    announcement: Announcement, editor: CommitteeMember, subject: str, body: str,
    next_steps: str = "",
) -> Revision | None:
    """Save an edit as a new revision (None when nothing changed); it clears the approvals.

    Raises AnnouncementError (not a draft, empty fields), UnsafeHeaderValue.
    """
    if announcement.status != AnnouncementStatus.DRAFT:
        raise AnnouncementError(
            _("Only drafts can be edited.") if announcement.status != AnnouncementStatus.SCHEDULED
            else _("This announcement is scheduled: unschedule it before editing.")
        )
    content = _clean_content(subject, body, next_steps)
    previous = announcement.current_revision
    if content_hash(content) == previous.content_hash:
        return None
    cleared = len(current_approvals(announcement))
    revision = _add_revision(announcement, editor, content, previous.number + 1)
    record_audit(editor, "edited", "announcement", announcement.id, revision.content_hash,
                 {"revision": revision.number, "approvals cleared": cleared})
    return revision


def current_approvals(announcement: Announcement) -> list[Approval]:
    """Approvals of the current revision, and only while its content still has that hash."""
    revision = announcement.current_revision
    return list(db.session.scalars(
        sa.select(Approval).where(
            Approval.revision_id == revision.id,
            Approval.revision_hash == revision.content_hash,
        ).order_by(Approval.id)
    ))


def may_approve(announcement: Announcement, member: CommitteeMember) -> bool:
    """Members other than the announcement's author and the current revision's author."""
    authors = {announcement.author_id, announcement.current_revision.author_id}
    return member.id not in authors


def approve_revision(
    announcement: Announcement, member: CommitteeMember, seen_hash: str
) -> Approval:
    """Approve the revision the member reviewed (seen_hash), if it is still the current one.

    Raises NotAllowed (own draft), AnnouncementError (changed since, already approved, sent).
    """
    revision = announcement.current_revision
    if announcement.status not in (AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED):
        raise AnnouncementError(_("This announcement can no longer be approved."))
    if not may_approve(announcement, member):
        raise NotAllowed(_("You cannot approve a draft you wrote; another member must review it."))
    if seen_hash != revision.content_hash:
        raise AnnouncementError(_(
            "The draft has changed since you opened it. Please review the new revision."
        ))
    if any(approval.member_id == member.id for approval in current_approvals(announcement)):
        raise AnnouncementError(_("You have already approved this revision."))
    approval = Approval(announcement_id=announcement.id, revision_id=revision.id,
                        revision_hash=revision.content_hash, member_id=member.id)
    db.session.add(approval)
    db.session.flush()
    record_audit(member, "approved", "announcement", announcement.id, revision.content_hash,
                 {"revision": revision.number})
    return approval


def add_comment(announcement: Announcement, member: CommitteeMember, body: str) -> ReviewComment:
    """Raises AnnouncementError for an empty comment."""
    body = normalise_text(body) if (body or "").strip() else ""
    if not body:
        raise AnnouncementError(_("Please write a comment."))
    comment = ReviewComment(announcement_id=announcement.id, author_id=member.id, body=body,
                            revision_number=announcement.current_revision.number)
    db.session.add(comment)
    db.session.flush()
    record_audit(member, "commented", "announcement", announcement.id,
                 announcement.current_revision.content_hash,
                 {"revision": comment.revision_number})
    return comment


def list_comments(announcement: Announcement) -> list[ReviewComment]:
    return list(db.session.scalars(
        sa.select(ReviewComment).filter_by(announcement_id=announcement.id)
        .order_by(ReviewComment.id)
    ))


def get_announcement(announcement_id: int) -> Announcement | None:
    return db.session.get(Announcement, announcement_id)


def get_revision(announcement: Announcement, number: int) -> Revision | None:
    return db.session.scalar(
        sa.select(Revision).filter_by(announcement_id=announcement.id, number=number)
    )


def list_announcements() -> list[Announcement]:
    return list(db.session.scalars(sa.select(Announcement).order_by(Announcement.id.desc())))


def diff_revisions(old: Revision, new: Revision) -> list[tuple[str, str]]:
    """A unified diff of the full text (subject first), as (kind, line) pairs for the page."""

    def lines(revision: Revision) -> list[str]:
        text = full_markdown(content_of(revision))
        return [f"Subject: {revision.subject}", "", *text.split("\n")]

    kinds = {"+": "added", "-": "removed", "@": "hunk"}
    out = []
    for line in difflib.unified_diff(lines(old), lines(new), f"revision {old.number}",
                                     f"revision {new.number}", lineterm=""):
        kind = "file" if line.startswith(("---", "+++")) else kinds.get(line[:1], "same")
        out.append((kind, line))
    return out
