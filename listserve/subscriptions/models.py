"""The people on the lists (listserve.core.lists), and the record of their consent."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listserve.core.db import UTCDateTime, utcnow
from listserve.core.i18n import mail_language
from listserve.core.lists import MailingList  # noqa: F401  (relationships name it)
from listserve.extensions import db


class SubscriptionStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"
    DISABLED = "disabled"  # delivery stopped, e.g. by bounces; the person can re-enable it


class DeliveryMode(enum.StrEnum):
    EACH = "each"  # every message as it is sent
    DIGEST = "digest"  # one mail per period (the list's digest schedule)


class Subscriber(db.Model):
    __tablename__ = "subscriber"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320))
    # The address as compared: normalised by email-validator, then lower-cased, so that
    # Alice@Example.org and alice@example.org are one person.
    email_key: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscriptions: Mapped[list["Subscription"]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan", passive_deletes=True
    )


class Subscription(db.Model):
    __tablename__ = "subscription"
    __table_args__ = (sa.UniqueConstraint("subscriber_id", "list_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        sa.ForeignKey("subscriber.id", ondelete="CASCADE"), index=True
    )
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("mailing_list.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(sa.String(16), default=SubscriptionStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A confirmation token is valid only while it carries the current nonce: confirming (or a
    # new request) replaces it, which makes every token single-use.
    confirm_nonce: Mapped[str | None] = mapped_column(sa.String(32))
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A request to leave by email waits for confirmation under its own nonce (see codes.py).
    leave_nonce: Mapped[str | None] = mapped_column(sa.String(32))
    leave_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bounce_score: Mapped[float] = mapped_column(default=0.0)
    delivery_mode: Mapped[str] = mapped_column(sa.String(8), default=DeliveryMode.EACH,
                                               server_default=DeliveryMode.EACH.value)
    last_bounce_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language this subscription's mail goes out in (a code of LANGUAGES); None: none was
    # stated (an import without the column), so the site default.
    language: Mapped[str | None] = mapped_column(sa.String(8))

    @property
    def mail_language(self) -> str:
        """The language this subscription's mail goes out in (the site default if none)."""
        return mail_language(self.language)

    subscriber: Mapped[Subscriber] = relationship(back_populates="subscriptions")
    mailing_list: Mapped[MailingList] = relationship()
    consents: Mapped[list["ConsentRecord"]] = relationship(
        back_populates="subscription",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ConsentRecord.id",
    )


class ConsentText(db.Model):
    """Every wording of the consent statement ever shown, keyed by its SHA-256."""

    __tablename__ = "consent_text"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
    first_shown_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsentRecord(db.Model):
    """One request to join: when it was asked, from where, with which text, and when confirmed."""

    __tablename__ = "consent_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("subscription.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(sa.String(200))  # "web form /", "email", "import: …"
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(400))
    consent_text_sha256: Mapped[str] = mapped_column(sa.ForeignKey("consent_text.sha256"))

    subscription: Mapped[Subscription] = relationship(back_populates="consents")
    consent_text: Mapped[ConsentText] = relationship()


class Suppression(db.Model):
    """An erased address, kept only as a hash so it is never mailed again unless it rejoins."""

    __tablename__ = "suppression"

    id: Mapped[int] = mapped_column(primary_key=True)
    address_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    reason: Mapped[str] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BounceEvent(db.Model):
    """One report that mail to a subscriber failed: an SMTP refusal or a DSN."""

    __tablename__ = "bounce_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("subscription.id", ondelete="CASCADE"), index=True
    )
    outbox_entry_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(sa.String(16))  # "permanent" or "temporary"
    status: Mapped[str | None] = mapped_column(sa.String(16))  # "550", "5.1.1", …
    diagnostic: Mapped[str | None] = mapped_column(sa.Text)
    source: Mapped[str] = mapped_column(sa.String(8))  # "smtp" or "dsn"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscription: Mapped[Subscription] = relationship()


class SignupRequest(db.Model):
    """A request to join made on the web, waiting for a worker to start its double opt-in.

    The subscribe form stores only this row (listserve.subscriptions.signups), so the request
    answers at once; what the person typed and the consent evidence are kept until a worker has
    carried the request out, in the same transaction as the subscription it starts.
    """

    __tablename__ = "signup_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320))
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    source: Mapped[str] = mapped_column(sa.String(200))
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(400))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The ids of the lists asked for, comma-separated; None (a request stored before there
    # were several lists) means the default list.
    list_ids: Mapped[str | None] = mapped_column(sa.String(200))
    # The language of the page the request was made on: the subscription's language.
    language: Mapped[str | None] = mapped_column(sa.String(8))
    # Set when carrying the request out failed; such a request is kept, and not tried again.
    error: Mapped[str | None] = mapped_column(sa.Text)


class DigestRun(db.Model):
    """One list's digest for one period: the row that claims it, so it is queued once however
    many workers run the digest job (listserve.subscriptions.digests)."""

    __tablename__ = "digest_run"
    __table_args__ = (sa.UniqueConstraint("list_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("mailing_list.id", ondelete="CASCADE"))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    posts: Mapped[int] = mapped_column(default=0)  # -1: could not be queued (see the log)
    # The shared digest (those who missed every post); personal ones carry the run's key in
    # their purpose.
    mailing_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mailing.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
