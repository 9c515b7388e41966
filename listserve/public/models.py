"""What the network says about itself: aims, next steps, and the ecosystem directory."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listserve.core.content_version import PUBLIC_CONTENT
from listserve.core.db import UTCDateTime, utcnow
from listserve.extensions import db


class NextStepStatus(enum.StrEnum):
    PLANNED = "planned"
    UNDER_WAY = "under way"
    DONE = "done"


class SectionKind(enum.StrEnum):
    INTERNATIONAL = "international"
    NATIONAL = "national"
    SECTOR = "sector"
    OTHER = "other"


class Aim(db.Model):
    __tablename__ = "aim"
    __table_args__ = PUBLIC_CONTENT

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.Text)


class NextStep(db.Model):
    __tablename__ = "next_step"
    __table_args__ = PUBLIC_CONTENT

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=NextStepStatus.PLANNED)
    due: Mapped[date | None] = mapped_column(sa.Date)
    owner: Mapped[str | None] = mapped_column(sa.String(200))


class PageText(db.Model):
    """Free text on the public pages (the home page's welcome, the directory's introduction)."""

    __tablename__ = "page_text"
    __table_args__ = PUBLIC_CONTENT

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class EcosystemSection(db.Model):
    __tablename__ = "ecosystem_section"
    __table_args__ = PUBLIC_CONTENT

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default=SectionKind.OTHER)
    position: Mapped[int] = mapped_column(default=0)

    entries: Mapped[list["EcosystemEntry"]] = relationship(
        back_populates="section",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="EcosystemEntry.position",
    )


class EcosystemEntry(db.Model):
    __tablename__ = "ecosystem_entry"
    __table_args__ = (sa.UniqueConstraint("section_id", "url"), PUBLIC_CONTENT)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ecosystem_section.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(300))
    url: Mapped[str] = mapped_column(sa.String(2000))
    abbreviation: Mapped[str | None] = mapped_column(sa.String(40))
    sector: Mapped[str | None] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")

    section: Mapped[EcosystemSection] = relationship(back_populates="entries")


class PageVersion(db.Model):
    """A public page as it stood after one committee edit, and who made it."""

    __tablename__ = "page_version"
    __table_args__ = (sa.Index("ix_page_version_page", "page", "created_at"), PUBLIC_CONTENT)

    id: Mapped[int] = mapped_column(primary_key=True)
    page: Mapped[str] = mapped_column(sa.String(32))  # "aims", "next_steps", "ecosystem"
    snapshot: Mapped[dict] = mapped_column(sa.JSON)
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committee_member.id", ondelete="SET NULL")
    )
    author_label: Mapped[str] = mapped_column(sa.String(600))  # as they were then
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PageTranslation(db.Model):
    """A public page's words in another language than the site's default: `content` holds the
    translated texts (see public.translations for its shape); what is missing shows in the
    default language."""

    __tablename__ = "page_translation"
    __table_args__ = PUBLIC_CONTENT

    page: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # as PageVersion.page
    language: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    content: Mapped[dict] = mapped_column(sa.JSON)
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committee_member.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
