"""Announcements the committee drafts together: revisions, approvals bound to a revision's hash,
review comments, and what happened when it was sent.

An announcement is written in the site's default language first (revisions whose `language` is
None) and may carry translations (revisions with a language code); each language's current
version is its newest revision, and approvals are bound to the whole set (services.set_hash)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listserve.committee.models import CommitteeMember
from listserve.core.db import UTCDateTime, utcnow
from listserve.extensions import db


class AnnouncementStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENT = "sent"  # handed to the delivery engine; its progress is the mailing's
    CANCELLED = "cancelled"


class Announcement(db.Model):
    __tablename__ = "announcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("mailing_list.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committee_member.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(sa.String(16), default=AnnouncementStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    scheduled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committee_member.id", ondelete="SET NULL")
    )
    # An admin's reason for sending without the approvals the list asks for.
    override_reason: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The revision that went out. No foreign key: revisions already point here, and a cycle
    # of foreign keys makes both engines' migrations fragile. The hash is in the audit log.
    sent_revision_id: Mapped[int | None]
    mailing_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mailing.id", ondelete="SET NULL")
    )
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("post.id", ondelete="SET NULL"))

    author: Mapped[CommitteeMember | None] = relationship(foreign_keys=[author_id])
    scheduled_by: Mapped[CommitteeMember | None] = relationship(foreign_keys=[scheduled_by_id])
    revisions: Mapped[list["Revision"]] = relationship(
        back_populates="announcement", order_by="Revision.number",
        cascade="all, delete-orphan", passive_deletes=True,
    )

    @property
    def current_revision(self) -> "Revision":
        """The default-language version as it now stands."""
        return next(r for r in reversed(self.revisions) if r.language is None)

    @property
    def latest_revision(self) -> "Revision":
        """The newest save in any language: approvals are given to it (and the set's hash)."""
        return self.revisions[-1]

    def previous_of(self, revision: "Revision") -> "Revision | None":
        """The revision before this one in the same language (what a diff compares it to)."""
        earlier = [r for r in self.revisions
                   if r.language == revision.language and r.number < revision.number]
        return earlier[-1] if earlier else None

    @property
    def translations(self) -> dict[str, "Revision"]:
        """Each translation's current version, by language code, in code order."""
        found = {r.language: r for r in self.revisions if r.language is not None}
        return dict(sorted(found.items()))

    @property
    def subject(self) -> str:
        return self.current_revision.subject


class Revision(db.Model):
    """One save of a draft: exactly what would be sent, and its SHA-256."""

    __tablename__ = "announcement_revision"
    __table_args__ = (sa.UniqueConstraint("announcement_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("announcement.id", ondelete="CASCADE")
    )
    number: Mapped[int]
    # None: the default-language version (every revision before translations); else the
    # language code of a translation.
    language: Mapped[str | None] = mapped_column(sa.String(8))
    subject: Mapped[str] = mapped_column(sa.String(998))
    body: Mapped[str] = mapped_column(sa.Text)
    next_steps: Mapped[str] = mapped_column(sa.Text, default="")
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committee_member.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    announcement: Mapped[Announcement] = relationship(back_populates="revisions")
    author: Mapped[CommitteeMember | None] = relationship()


class Approval(db.Model):
    __tablename__ = "announcement_approval"
    __table_args__ = (sa.UniqueConstraint("revision_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("announcement.id", ondelete="CASCADE"), index=True
    )
    revision_id: Mapped[int] = mapped_column(
        sa.ForeignKey("announcement_revision.id", ondelete="CASCADE")
    )
    revision_hash: Mapped[str] = mapped_column(sa.String(64))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("committee_member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[CommitteeMember] = relationship()


class ReviewComment(db.Model):
    __tablename__ = "announcement_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("announcement.id", ondelete="CASCADE"), index=True
    )
    revision_number: Mapped[int]  # the revision the reviewer was looking at
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committee_member.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[CommitteeMember | None] = relationship()
