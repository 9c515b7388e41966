"""The lists: every subscription, announcement, post and setting belongs to one.

The default list (LIST_SLUG, the one everyone joins) is made by the migrations and again by
the commands that start the site or a worker (`ensure_default_list`), so reading it never writes.
"""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from listserve.core.db import UTCDateTime, utcnow
from listserve.extensions import db


class DefaultListMissing(LookupError):
    """The configured list is not in the database: `listserve db upgrade` makes it."""


class MailingList(db.Model):
    __tablename__ = "mailing_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    domain: Mapped[str] = mapped_column(sa.String(253))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Announce-only: subscribers cannot post (List-Post: NO).
    announce_only: Mapped[bool] = mapped_column(default=True)
    required_approvals: Mapped[int] = mapped_column(default=1)
    hold_all_comments: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def address(self) -> str:
        return f"{self.slug}@{self.domain}"

    @property
    def list_id(self) -> str:
        """The RFC 2919 identifier: slug.domain."""
        return f"{self.slug}.{self.domain}"


def get_default_list() -> MailingList:
    """The list everyone joins (LIST_SLUG). Raises DefaultListMissing."""
    slug = current_app.config["LIST_SLUG"]
    mailing_list = db.session.scalar(sa.select(MailingList).filter_by(slug=slug))
    if mailing_list is None:
        raise DefaultListMissing(f"no list {slug!r}: run `listserve db upgrade`")
    return mailing_list


def ensure_default_list(connection: sa.Connection) -> None:
    """Make the configured list if it is missing (migrations and start-up; idempotent)."""
    cfg = current_app.config
    table = MailingList.__table__
    if connection.scalar(sa.select(table.c.id).where(table.c.slug == cfg["LIST_SLUG"])):
        return
    connection.execute(table.insert().values(
        slug=cfg["LIST_SLUG"], name=cfg["LIST_NAME"], domain=cfg["LIST_DOMAIN"], description="",
        announce_only=True, required_approvals=1, hold_all_comments=False, created_at=utcnow(),
    ))
