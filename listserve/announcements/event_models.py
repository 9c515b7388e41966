"""Events an announcement carries (a meeting, a call) and the answers readers give to them."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listserve.core.content_version import PUBLIC_CONTENT
from listserve.core.db import UTCDateTime, utcnow
from listserve.extensions import db


class Answer(enum.StrEnum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


class AnnouncementEvent(db.Model):
    __tablename__ = "announcement_event"
    __table_args__ = PUBLIC_CONTENT  # shown on the archive page of its announcement

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("announcement.id", ondelete="CASCADE"), index=True
    )
    # RFC 5545 UID: the same for every .ics of this event, so calendars update one entry.
    uid: Mapped[str] = mapped_column(sa.String(200), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    time_zone: Mapped[str] = mapped_column(sa.String(64))  # IANA name, e.g. America/New_York
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # RFC 5545 SEQUENCE: one more at each change of time, so calendars take the update.
    sequence: Mapped[int] = mapped_column(default=0)
    # Set by the one worker that queues the reminder (a conditional UPDATE claims it).
    reminder_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rsvps: Mapped[list["EventRsvp"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True,
        order_by="EventRsvp.id",
    )


class EventRsvp(db.Model):
    """One address's answer to one event. What was asked waits in asked_* until the button
    in the mail proves the address; only then is it the answer."""

    __tablename__ = "event_rsvp"
    __table_args__ = (sa.UniqueConstraint("event_id", "email_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("announcement_event.id", ondelete="CASCADE")
    )
    email: Mapped[str] = mapped_column(sa.String(320))
    email_key: Mapped[str] = mapped_column(sa.String(320), index=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    answer: Mapped[str | None] = mapped_column(sa.String(8))  # None until proven
    note: Mapped[str] = mapped_column(sa.Text, default="")
    asked_name: Mapped[str] = mapped_column(sa.String(200), default="")
    asked_answer: Mapped[str | None] = mapped_column(sa.String(8))
    asked_note: Mapped[str] = mapped_column(sa.Text, default="")
    verify_nonce: Mapped[str | None] = mapped_column(sa.String(32))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verification_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[AnnouncementEvent] = relationship(back_populates="rsvps")
