"""Every message the receiver accepts leaves a row here, so nothing it takes in is lost."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from listserve.core.db import UTCDateTime, utcnow
from listserve.extensions import db


class InboundKind(enum.StrEnum):
    """What the recipient address made of the message."""

    JOIN = "join"  # <list>-join, or "subscribe" to <list>-request
    LEAVE = "leave"  # <list>-leave, or "unsubscribe" to <list>-request
    HELP = "help"  # "help" (or no command we know) to <list>-request
    CONFIRM = "confirm"  # <list>-confirm+CODE: a reply to a confirmation mail
    BOUNCE = "bounce"  # bounces+ID: a delivery report about one copy we sent
    REPLY = "reply"  # <list>@ or <list>+KEY@: a reply to an announcement
    POST = "post"  # <list>@ of a discussion list: a message for every subscriber
    UNKNOWN = "unknown"  # accepted at RCPT, but its list was gone by the time the data came


class InboundStatus(enum.StrEnum):
    HANDLED = "handled"  # acted on, or deliberately left unanswered (reason says which)
    HELD = "held"  # kept for a committee member: it could not be acted on
    UNROUTED = "unrouted"  # a reply that became no comment (the reason says why)
    FAILED = "failed"  # handling raised; rolled back and kept with the error


class InboundMessage(db.Model):
    __tablename__ = "inbound_message"
    __table_args__ = (sa.Index("ix_inbound_message_sender_received", "sender", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    peer: Mapped[str | None] = mapped_column(sa.String(45))  # the connecting MTA's IP
    envelope_from: Mapped[str] = mapped_column(sa.String(320), default="")
    recipient: Mapped[str] = mapped_column(sa.String(320))  # the one this row is about
    list_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mailing_list.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    # From the message's headers, cleaned to one line; sender is the From address, lower-cased.
    sender: Mapped[str] = mapped_column(sa.String(320), default="")
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    message_id: Mapped[str] = mapped_column(sa.String(250), default="")
    # A reply: the mailing its In-Reply-To / References name, when it is one of ours.
    mailing_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mailing.id", ondelete="SET NULL")
    )
    size: Mapped[int] = mapped_column(default=0)
    # The message itself, for held, unrouted and failed rows only (cut at INBOUND_KEEP_BYTES).
    raw: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    raw_truncated: Mapped[bool] = mapped_column(default=False)
