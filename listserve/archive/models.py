"""Posts (sent announcements as they stand in the public archive) and readers' comments."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listserve.core.content_version import PUBLIC_CONTENT
from listserve.core.db import UTCDateTime, utcnow
from listserve.extensions import db


class Post(db.Model):
    __tablename__ = "post"
    __table_args__ = (sa.UniqueConstraint("year", "slug"),
                      sa.Index("ix_post_list_message_id", "list_id", "message_id"),
                      PUBLIC_CONTENT)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    slug: Mapped[str] = mapped_column(sa.String(100))
    subject: Mapped[str] = mapped_column(sa.String(998))
    body_markdown: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)  # already sanitised by listserve.core.rendering
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The list it was sent to (no foreign key: adding one would rebuild this table on SQLite,
    # and its search triggers with it); every post has one since migration 0012.
    list_id: Mapped[int | None] = mapped_column(index=True)
    # Where the post came from, when it came from a send (the committee's announcement).
    announcement_id: Mapped[int | None] = mapped_column(index=True)
    mailing_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mailing.id", ondelete="SET NULL")
    )
    # A message to a discussion list (or imported from an old archive): who wrote it and
    # where it sits in its thread (thread_id: the id of the thread's first post).
    message_id: Mapped[str | None] = mapped_column(sa.String(250))
    in_reply_to: Mapped[str | None] = mapped_column(sa.String(250))
    references: Mapped[str | None] = mapped_column(sa.Text)
    author_name: Mapped[str | None] = mapped_column(sa.String(200))
    author_email: Mapped[str | None] = mapped_column(sa.String(320))
    thread_id: Mapped[int | None] = mapped_column(index=True)

    # Its text in other languages (an announcement sent with translations), by language code.
    translations: Mapped[list["PostTranslation"]] = relationship(
        order_by="PostTranslation.language", cascade="all, delete-orphan", passive_deletes=True,
    )


class PostTranslation(db.Model):
    """A post in another language than the one it was sent in (the announcement's translation
    as it went out): the archive page shows the reader's language, and links to the others."""

    __tablename__ = "post_translation"
    __table_args__ = (sa.UniqueConstraint("post_id", "language"), PUBLIC_CONTENT)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("post.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(sa.String(8))
    subject: Mapped[str] = mapped_column(sa.String(998))
    body_markdown: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)  # sanitised, as Post.body_html

class PosterStanding(enum.StrEnum):
    FREE = "free"  # posts without moderation (a moderator said so)
    MEMBER = "member"  # counted: a member's first posts may be held
    BANNED = "banned"  # never reaches the list


class ListPoster(db.Model):
    """One address's standing on one discussion list."""

    __tablename__ = "list_poster"
    __table_args__ = (sa.UniqueConstraint("list_id", "email_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("mailing_list.id", ondelete="CASCADE"))
    email_key: Mapped[str] = mapped_column(sa.String(320))
    standing: Mapped[str] = mapped_column(sa.String(16), default=PosterStanding.MEMBER)
    accepted_posts: Mapped[int] = mapped_column(default=0)


class CommentStatus(enum.StrEnum):
    UNVERIFIED = "unverified"  # waits for its author to prove the address
    HELD = "held"  # waits for the committee (list setting, or a spammer's address)
    PUBLISHED = "published"
    HIDDEN = "hidden"  # shown as "hidden by the committee", so replies still make sense
    DELETED = "deleted"  # text erased; kept only while replies hang from it


class Commenter(db.Model):
    """One email address that has commented: whether it is proven, whether it is a spammer."""

    __tablename__ = "commenter"
    __table_args__ = PUBLIC_CONTENT

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320))
    email_key: Mapped[str] = mapped_column(sa.String(320), unique=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    spammer: Mapped[bool] = mapped_column(default=False)
    verification_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Comment(db.Model):
    __tablename__ = "comment"
    __table_args__ = (sa.Index("ix_comment_post_status", "post_id", "status"), PUBLIC_CONTENT)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("post.id", ondelete="CASCADE"))
    # Replies are one level deep: a parent is always a top-level comment.
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    commenter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("commenter.id", ondelete="CASCADE"), index=True
    )
    author_name: Mapped[str] = mapped_column(sa.String(100))
    body_markdown: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)  # rendered and cleaned when written
    status: Mapped[str] = mapped_column(sa.String(16), default=CommentStatus.UNVERIFIED)
    notify_replies: Mapped[bool] = mapped_column(default=False)
    # "web" (the form under a post) or "email" (a reply to the announcement, see
    # listserve.archive.emailed): an emailed one is released only by its own link.
    via: Mapped[str] = mapped_column(sa.String(8), default="web", server_default="web")
    # The verification link is valid only while it carries this nonce: single use.
    verify_nonce: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    parent_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    post: Mapped[Post] = relationship()
    commenter: Mapped[Commenter] = relationship()
    parent: Mapped["Comment | None"] = relationship(remote_side=[id])
