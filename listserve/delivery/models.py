"""The outbox: every email leaves through these two tables.

A Mailing is one message rendered once (subject, text, HTML). An OutboxEntry is one
recipient's copy of it, with its own delivery state and lease, so any number of workers can
share a mailing and a crash loses nothing: an expired lease is simply claimed again.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listserve.core.db import UTCDateTime, utcnow
from listserve.extensions import db


class MailingKind(enum.StrEnum):
    ANNOUNCEMENT = "announcement"  # list traffic: List-* headers, one copy per subscriber
    NOTICE = "notice"  # confirmations, welcomes, notices: Auto-Submitted: auto-generated


class MailingStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    CANCELLED = "cancelled"


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    RETRYING = "retrying"  # a 4xx reply or a dropped connection; next_attempt_at says when
    SENT = "sent"
    FAILED = "failed"  # a 5xx reply, or too many attempts
    CANCELLED = "cancelled"


class Mailing(db.Model):
    __tablename__ = "mailing"
    __table_args__ = (
        # An announcement is queued once: a second "send" of the same one is refused.
        sa.Index(
            "uq_mailing_announcement_purpose", "purpose", unique=True,
            postgresql_where=sa.text("kind = 'announcement'"),
            sqlite_where=sa.text("kind = 'announcement'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mailing_list.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(sa.String(20), default=MailingKind.NOTICE)
    # What the mail is about, e.g. "subscription.confirm" or "announcement:12".
    purpose: Mapped[str] = mapped_column(sa.String(100))
    subject: Mapped[str] = mapped_column(sa.String(998))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str | None] = mapped_column(sa.Text)
    reply_to: Mapped[str | None] = mapped_column(sa.String(320))
    # Personal List-Unsubscribe headers and link: every announcement, and notices to
    # people who are on the list (a welcome), but not a confirmation request.
    personal_unsubscribe: Mapped[bool] = mapped_column(default=False)
    archived_at: Mapped[str | None] = mapped_column(sa.String(2000))  # the post's permalink
    # A post to a discussion list: its From (the poster's, or "Name via List" when the
    # poster's domain asks for DMARC rewriting) and its threading headers, as received.
    from_name: Mapped[str | None] = mapped_column(sa.String(200))
    from_address: Mapped[str | None] = mapped_column(sa.String(320))
    in_reply_to: Mapped[str | None] = mapped_column(sa.String(250))
    references: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default=MailingStatus.ACTIVE)
    # The language its text is in (a code of LANGUAGES), sent as Content-Language; None: not
    # stated (mail queued before languages).
    language: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entries = relationship("OutboxEntry", back_populates="mailing", lazy="write_only")


class MailingAttachment(db.Model):
    """A file every copy of a mailing carries (an event's .ics): stored once per mailing and
    encoded once when the worker renders the mailing, whatever the number of copies."""

    __tablename__ = "mailing_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    mailing_id: Mapped[int] = mapped_column(
        sa.ForeignKey("mailing.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))  # "text/calendar; method=PUBLISH"
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # How the copies encode it (a post's attachment keeps its poster's); None: base64.
    transfer_encoding: Mapped[str | None] = mapped_column(sa.String(20))

    mailing: Mapped[Mailing] = relationship()


class OutboxEntry(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (
        # One copy per recipient per mailing: enqueueing twice cannot mail anyone twice.
        sa.UniqueConstraint("mailing_id", "recipient"),
        # Only copies still to send, in the order workers claim them: a claim reads a few
        # index entries however many copies of a big send were already sent.
        sa.Index(
            "ix_outbox_due", "next_attempt_at", "id",
            postgresql_where=sa.text("status IN ('queued', 'retrying')"),
            sqlite_where=sa.text("status IN ('queued', 'retrying')"),
        ),
        # Message-IDs are unique, but an announcement copy has none until a worker makes it
        # (from the copy's id) and records it with the outcome: the index holds only those
        # set, so queueing 100k copies writes no index entries for it.
        sa.Index(
            "uq_outbox_message_id", "message_id", unique=True,
            postgresql_where=sa.text("message_id IS NOT NULL"),
            sqlite_where=sa.text("message_id IS NOT NULL"),
        ),
        {
            # Room on each page for a claim's new row version: a claim changes no indexed
            # column, so PostgreSQL then updates in place (HOT) instead of adding an entry
            # to every index of the outbox for each claimed copy.
            "postgresql_with": {"fillfactor": 50},
            # A copy's id is in its VERP bounce address and Message-ID: SQLite would hand out
            # the id of a deleted newest row again (an erased subscriber's unsent copy), and a
            # late bounce to the old copy would count against the new copy's subscriber.
            # PostgreSQL's sequences never repeat.
            "sqlite_autoincrement": True,
        },
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mailing_id: Mapped[int] = mapped_column(sa.ForeignKey("mailing.id", ondelete="CASCADE"))
    subscription_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("subscription.id", ondelete="SET NULL"), index=True
    )
    recipient: Mapped[str] = mapped_column(sa.String(320))
    recipient_name: Mapped[str] = mapped_column(sa.String(200), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(120))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reply: Mapped[str | None] = mapped_column(sa.Text)
    message_id: Mapped[str | None] = mapped_column(sa.String(250))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mailing: Mapped[Mailing] = relationship(back_populates="entries")
