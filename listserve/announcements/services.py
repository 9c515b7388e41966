"""Drafting and review: revisions, approvals bound to a revision's hash, comments.
Flush, never commit.

Translations: the default-language version is written first; each translation is a revision
with its language. Approvals are bound to the whole set: to the newest revision in any language
and to set_hash, so saving any language makes earlier approvals stop counting."""

import difflib
import hashlib
import json

import sqlalchemy as sa
from flask import current_app
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


def _add_revision(announcement: Announcement, author, content: Content, number: int,
                  language: str | None = None) -> Revision:
    revision = Revision(
        announcement=announcement, number=number, language=language,
        subject=content.subject, body=content.body,
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
    _check_editable(announcement)
    content = _clean_content(subject, body, next_steps)
    previous = announcement.current_revision
    if content_hash(content) == previous.content_hash:
        return None
    cleared = len(current_approvals(announcement))
    revision = _add_revision(announcement, editor, content,
                             announcement.latest_revision.number + 1)
    record_audit(editor, "edited", "announcement", announcement.id, revision.content_hash,
                 {"revision": revision.number, "approvals cleared": cleared})
    return revision


def _check_editable(announcement: Announcement) -> None:
    if announcement.status != AnnouncementStatus.DRAFT:
        raise AnnouncementError(
            _("Only drafts can be edited.") if announcement.status != AnnouncementStatus.SCHEDULED
            else _("This announcement is scheduled: unschedule it before editing.")
        )


def default_language() -> str:
    """The language of every announcement's first version: the site's default."""
    return current_app.config["DEFAULT_LANGUAGE"]


def translation_languages() -> list[str]:
    """The languages a translation can be added in: the site's, but its default."""
    return [code for code in current_app.config["LANGUAGES"] if code != default_language()]


def save_translation(
    announcement: Announcement, editor: CommitteeMember, language: str, subject: str,
    body: str, next_steps: str = "",
) -> Revision | None:
    """Save the announcement's version in `language` as a new revision (None when nothing
    changed); like any edit, it clears the approvals of the whole set.

    Raises AnnouncementError (not a draft, a language the site does not offer, empty fields),
    UnsafeHeaderValue.
    """
    _check_editable(announcement)
    if language not in translation_languages():
        raise AnnouncementError(_("A translation can be added in %(languages)s only.",
                                  languages=", ".join(translation_languages()) or "-"))
    content = _clean_content(subject, body, next_steps)
    previous = announcement.translations.get(language)
    if previous is not None and content_hash(content) == previous.content_hash:
        return None
    cleared = len(current_approvals(announcement))
    revision = _add_revision(announcement, editor, content,
                             announcement.latest_revision.number + 1, language)
    record_audit(editor, "translated", "announcement", announcement.id, revision.content_hash,
                 {"revision": revision.number, "language": language,
                  "approvals cleared": cleared})
    return revision


def versions(announcement: Announcement) -> dict[str, Revision]:
    """Every language's current version: the default language first, then the translations."""
    return {default_language(): announcement.current_revision, **announcement.translations}


def set_hash(announcement: Announcement) -> str:
    """What approvals are bound to. With no translation, the default version's own hash (as
    before translations); else SHA-256 over every language's current hash."""
    translations = announcement.translations
    own = announcement.current_revision.content_hash
    if not translations:
        return own
    canonical = json.dumps(
        {"v": 1, "default": own,
         "translations": {code: revision.content_hash for code, revision in translations.items()}},
        sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def current_approvals(announcement: Announcement) -> list[Approval]:
    """Approvals of the current set of versions: given to the newest revision (in any
    language), and only while the set still has that hash."""
    return list(db.session.scalars(
        sa.select(Approval).where(
            Approval.revision_id == announcement.latest_revision.id,
            Approval.revision_hash == set_hash(announcement),
        ).order_by(Approval.id)
    ))


def may_approve(announcement: Announcement, member: CommitteeMember) -> bool:
    """Members other than the announcement's author and the authors of its current versions
    (the default language's and each translation's)."""
    authors = {announcement.author_id, announcement.current_revision.author_id,
               *(revision.author_id for revision in announcement.translations.values())}
    return member.id not in authors


def approve_revision(
    announcement: Announcement, member: CommitteeMember, seen_hash: str
) -> Approval:
    """Approve the revision the member reviewed (seen_hash), if it is still the current one.

    Raises NotAllowed (own draft), AnnouncementError (changed since, already approved, sent).
    """
    revision = announcement.latest_revision
    approved_hash = set_hash(announcement)
    if announcement.status not in (AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED):
        raise AnnouncementError(_("This announcement can no longer be approved."))
    if not may_approve(announcement, member):
        raise NotAllowed(_("You cannot approve a draft you wrote; another member must review it."))
    if seen_hash != approved_hash:
        raise AnnouncementError(_(
            "The draft has changed since you opened it. Please review the new revision."
        ))
    if any(approval.member_id == member.id for approval in current_approvals(announcement)):
        raise AnnouncementError(_("You have already approved this revision."))
    approval = Approval(announcement_id=announcement.id, revision_id=revision.id,
                        revision_hash=approved_hash, member_id=member.id)
    db.session.add(approval)
    db.session.flush()
    record_audit(member, "approved", "announcement", announcement.id, approved_hash,
                 {"revision": revision.number})
    return approval


def add_comment(announcement: Announcement, member: CommitteeMember, body: str) -> ReviewComment:
    """Raises AnnouncementError for an empty comment."""
    body = normalise_text(body) if (body or "").strip() else ""
    if not body:
        raise AnnouncementError(_("Please write a comment."))
    comment = ReviewComment(announcement_id=announcement.id, author_id=member.id, body=body,
                            revision_number=announcement.latest_revision.number)
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
