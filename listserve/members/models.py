"""The network's members: organisations and individuals who signed on, and the principles
text they agreed to (every wording kept, by its SHA-256, as consent texts are)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listserve.core.db import UTCDateTime, utcnow
from listserve.extensions import db


class MemberKind(enum.StrEnum):
    ORGANISATION = "organisation"
    INDIVIDUAL = "individual"


class MemberStatus(enum.StrEnum):
    UNVERIFIED = "unverified"  # waiting for the person to press the button in our mail
    PENDING = "pending"  # address proven; waiting for the committee
    APPROVED = "approved"  # in the public directory
    DECLINED = "declined"


# The fields a member may choose to show in the directory (the name is always shown: an entry
# without one means nothing). Filtering by sector or region only finds shown values.
SHOWABLE = ("contact_name", "email", "sector", "region", "country", "website", "description",
            "affiliation")


class PrinciplesText(db.Model):
    """Every wording of the network's principles a member agreed to."""

    __tablename__ = "member_principles"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
    first_shown_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Member(db.Model):
    __tablename__ = "network_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16), default=MemberStatus.UNVERIFIED,
                                        index=True)
    name: Mapped[str] = mapped_column(sa.String(200))  # the organisation's, or the person's
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str] = mapped_column(sa.String(320))
    email_key: Mapped[str] = mapped_column(sa.String(320), unique=True)
    sector: Mapped[str] = mapped_column(sa.String(40), default="")
    region: Mapped[str] = mapped_column(sa.String(120), default="")  # city / region
    country: Mapped[str] = mapped_column(sa.String(80), default="")
    website: Mapped[str] = mapped_column(sa.String(500), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    affiliation: Mapped[str] = mapped_column(sa.String(200), default="")
    shown_fields: Mapped[list] = mapped_column(sa.JSON, default=list)
    wants_list: Mapped[bool] = mapped_column(default=False)  # also join the announcements list
    # Consent: which principles, when asked and proven, from where.
    principles_sha256: Mapped[str] = mapped_column(sa.ForeignKey("member_principles.sha256"))
    source: Mapped[str] = mapped_column(sa.String(200), default="web form")
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(400))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verification_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verify_nonce: Mapped[str | None] = mapped_column(sa.String(32))
    # The personal link to update or withdraw the entry carries this nonce.
    entry_nonce: Mapped[str] = mapped_column(sa.String(32))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committee_member.id", ondelete="SET NULL")
    )
    decision_message: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    principles: Mapped[PrinciplesText] = relationship()

    def shows(self, field: str) -> bool:
        return field in (self.shown_fields or []) and bool(getattr(self, field))
