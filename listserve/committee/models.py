"""Committee members (the people who draft, review and send) and the audit log of what they did."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from listserve.core.db import UTCDateTime, utcnow
from listserve.extensions import db


class Role(enum.StrEnum):
    MEMBER = "member"
    ADMIN = "admin"


def new_security_stamp() -> str:
    return secrets.token_hex(16)


class CommitteeMember(db.Model):
    __tablename__ = "committee_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320))
    email_key: Mapped[str] = mapped_column(sa.String(320), unique=True)  # lower-cased
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(16), default=Role.MEMBER)
    enabled: Mapped[bool] = mapped_column(default=True)
    # None until an invited member sets a password: such an account cannot log in.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # Changes on every password change, reset and invite acceptance. Tokens and sessions
    # carry it, so each link works once and a new password ends every other session.
    security_stamp: Mapped[str] = mapped_column(sa.String(32), default=new_security_stamp)
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # --- what Flask-Login asks of a user object ---
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.enabled and self.password_hash is not None

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.security_stamp}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>"


class AuditEvent(db.Model):
    """One thing a committee member (or the command line, or the scheduler) did."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committee_member.id", ondelete="SET NULL")
    )
    # Who it was, as they were then ("Ana <ana@…>", "command line", "scheduler").
    actor_label: Mapped[str] = mapped_column(sa.String(600))
    action: Mapped[str] = mapped_column(sa.String(40))
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int | None]
    revision_hash: Mapped[str | None] = mapped_column(sa.String(64))
    detail: Mapped[dict | None] = mapped_column(sa.JSON)
