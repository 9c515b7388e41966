"""Publishing announcements to the public archive."""

import re
import unicodedata
from datetime import datetime

import sqlalchemy as sa

from listserve.archive.models import Post
from listserve.dbtypes import utcnow
from listserve.extensions import db
from listserve.urls import external_url


def slugify(text: str, max_length: int = 80) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "post"


def publish_post(
    *,
    subject: str,
    body_markdown: str,
    body_html: str,
    published_at: datetime | None = None,
    announcement_id: int | None = None,
    mailing_id: int | None = None,
) -> Post:
    """Put an announcement in the archive under a permanent /archive/<year>/<slug> address.

    body_html must already be sanitised (listserve.rendering.render_announcement_html).
    """
    published_at = published_at or utcnow()
    base = slugify(subject)
    slug, n = base, 1
    while db.session.scalar(
        sa.select(Post.id).filter_by(year=published_at.year, slug=slug)
    ) is not None:
        n += 1
        slug = f"{base}-{n}"
    post = Post(
        year=published_at.year,
        slug=slug,
        subject=subject,
        body_markdown=body_markdown,
        body_html=body_html,
        published_at=published_at,
        announcement_id=announcement_id,
        mailing_id=mailing_id,
    )
    db.session.add(post)
    db.session.flush()
    return post


def post_url(post: Post) -> str:
    """The permanent, canonical URL: what the mail's Archived-At header points to."""
    return external_url("archive.post", year=post.year, slug=post.slug)


def get_post(year: int, slug: str) -> Post | None:
    return db.session.scalar(sa.select(Post).filter_by(year=year, slug=slug))
