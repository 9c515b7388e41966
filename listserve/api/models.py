"""API tokens (stored hashed), webhooks and their queued deliveries, idempotency keys."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listserve.committee.models import CommitteeMember
from listserve.core.db import UTCDateTime, utcnow
from listserve.extensions import db


class Scope(enum.StrEnum):
    READ = "read"
    SUBSCRIBERS_WRITE = "subscribers:write"
    ANNOUNCEMENTS_WRITE = "announcements:write"
    MODERATE = "moderate"
    ADMIN = "admin"  # every other scope, and attesting consent given elsewhere


# Scopes only a member with the admin role may hold (the web pages behind them are admins').
ADMIN_MEMBER_SCOPES = {Scope.SUBSCRIBERS_WRITE, Scope.ADMIN}


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("committee_member.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(sa.String(16))  # shown in lists: "lst_AbC123"
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # SHA-256, hex
    scopes: Mapped[str] = mapped_column(sa.String(200))  # space-separated
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[CommitteeMember] = relationship()

    @property
    def scope_set(self) -> set[str]:
        return set(self.scopes.split())

    @property
    def label(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Webhook(db.Model):
    __tablename__ = "webhook"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    events: Mapped[str] = mapped_column(sa.String(1000))  # space-separated event names
    # Standard Webhooks: "whsec_" + base64 of the key; kept as is, it signs every delivery.
    secret: Mapped[str] = mapped_column(sa.String(100))
    enabled: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committee_member.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def event_list(self) -> list[str]:
        return self.events.split()


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after WEBHOOK_MAX_ATTEMPTS


class WebhookDelivery(db.Model):
    """One event for one webhook: sent by the worker, never inside a request."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (sa.Index("ix_webhook_delivery_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[str] = mapped_column(sa.String(40))  # webhook-id: same on every retry
    event: Mapped[str] = mapped_column(sa.String(60))
    body: Mapped[str] = mapped_column(sa.Text)  # the exact JSON sent (and signed)
    status: Mapped[str] = mapped_column(sa.String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    webhook: Mapped[Webhook] = relationship()


class IdempotentResponse(db.Model):
    """The answer to a POST that sends mail, kept under its Idempotency-Key for a retry."""

    __tablename__ = "api_idempotent_response"
    __table_args__ = (sa.UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(sa.ForeignKey("api_token.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(200))
    request_hash: Mapped[str] = mapped_column(sa.String(64))  # method, path and body
    status_code: Mapped[int]
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImportState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # nothing of the file was imported (error says why)


class ApiImport(db.Model):
    """A CSV file uploaded through the API, imported by the worker in one transaction (all
    the file or none of it); the file itself is dropped once it has been read."""

    __tablename__ = "api_import"
    __table_args__ = (sa.Index("ix_api_import_state", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("api_token.id", ondelete="SET NULL"))
    member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committee_member.id", ondelete="SET NULL"))
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("mailing_list.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    consent_source: Mapped[str] = mapped_column(sa.String(150))  # as the caller stated it
    imported_by: Mapped[str] = mapped_column(sa.String(200))  # member and token, for the records
    attested: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(sa.String(16), default=ImportState.QUEUED)
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary)  # None once read
    size: Mapped[int] = mapped_column(default=0)  # bytes uploaded
    lines: Mapped[int] = mapped_column(default=0)  # lines in the file after the header
    rows: Mapped[int] = mapped_column(default=0)  # rows read so far
    added: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    already_on_list: Mapped[int] = mapped_column(default=0)
    erased: Mapped[int] = mapped_column(default=0)
    invalid: Mapped[int] = mapped_column(default=0)
    confirmations_queued: Mapped[int] = mapped_column(default=0)
    errors: Mapped[str] = mapped_column(sa.Text, default="[]")  # JSON [{line, message}]
    errors_not_listed: Mapped[int] = mapped_column(default=0)
    failure: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
