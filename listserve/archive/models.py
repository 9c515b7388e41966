"""Posts: sent announcements as they stand in the public archive."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from listserve.dbtypes import UTCDateTime, utcnow
from listserve.extensions import db


class Post(db.Model):
    __tablename__ = "post"
    __table_args__ = (sa.UniqueConstraint("year", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    slug: Mapped[str] = mapped_column(sa.String(100))
    subject: Mapped[str] = mapped_column(sa.String(998))
    body_markdown: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)  # already sanitised by listserve.rendering
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Where the post came from, when it came from a send (the committee's announcement).
    announcement_id: Mapped[int | None] = mapped_column(index=True)
    mailing_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mailing.id", ondelete="SET NULL")
    )
