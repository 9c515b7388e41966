"""Publishing announcements to the public archive."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from listserve.archive.list_archives import archive_of, in_list
from listserve.archive.models import Comment, CommentStatus, Post, PostTranslation
from listserve.core.db import utcnow
from listserve.core.lists import get_default_list
from listserve.core.urls import external_url
from listserve.extensions import db


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
    list_id: int | None = None,
) -> Post:
    """Put an announcement in the archive under a permanent /archive/<year>/<slug> address.

    body_html must already be sanitised (listserve.core.rendering.render_announcement_html).
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
        list_id=list_id or get_default_list().id,
    )
    db.session.add(post)
    db.session.flush()
    return post


def post_url(post: Post, language: str | None = None) -> str:
    """The permanent, canonical URL: what the mail's Archived-At header points to; with
    `language`, the address of its translation into it."""
    values = {"lang": language} if language else {}
    return external_url("archive.post", list_slug=archive_of(post).slug, year=post.year,
                        slug=post.slug, **values)


def add_post_translation(post: Post, language: str, subject: str, body_markdown: str,
                         body_html: str) -> PostTranslation:
    """The post's text in another language (an announcement's translation as it was sent);
    body_html must already be sanitised, as publish_post's."""
    translation = PostTranslation(language=language, subject=subject,
                                  body_markdown=body_markdown, body_html=body_html)
    post.translations.append(translation)
    db.session.flush()
    return translation


def post_translations(post: Post) -> dict[str, PostTranslation]:
    """The post's translations by language code (read with the post by get_post)."""
    return {translation.language: translation for translation in post.translations}


def get_post(year: int, slug: str) -> Post | None:
    """The post with its translations, in one query (a post page's count stays fixed)."""
    return db.session.scalars(
        sa.select(Post).filter_by(year=year, slug=slug).options(joinedload(Post.translations))
    ).unique().one_or_none()


@dataclass
class ArchivePage:
    """One page of the archive, newest first, with its posts grouped by month."""

    page: int
    pages: int
    months: list[tuple[datetime, list[Post]]]
    comment_counts: dict[int, int]

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def list_posts(page: int = 1, per_page: int = 20, mailing_list=None) -> ArchivePage:
    """A page of a list's posts (None: every list), newest first, grouped by month, with their
    published-comment counts (read with the posts: two queries in all)."""
    page = max(page, 1)
    where = in_list(mailing_list)
    total = db.session.scalar(sa.select(sa.func.count(Post.id)).where(where))
    published = (sa.select(sa.func.count(Comment.id))
                 .where(Comment.post_id == Post.id, Comment.status == CommentStatus.PUBLISHED)
                 .scalar_subquery())
    rows = db.session.execute(
        sa.select(Post, published).where(where)
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    posts = [post for post, _ in rows]
    months = [
        (month, list(group))
        for month, group in groupby(
            posts, key=lambda post: post.published_at.replace(day=1, hour=0, minute=0, second=0)
        )
    ]
    counts = {post.id: count for post, count in rows if count}
    return ArchivePage(page, max(1, -(-total // per_page)), months, counts)


def neighbours(post: Post) -> tuple[Post | None, Post | None]:
    """The posts of the same list published just before and just after this one (one query)."""
    same_time = Post.published_at == post.published_at
    same_list = in_list(archive_of(post))
    earlier = same_list & sa.or_(Post.published_at < post.published_at,
                                 same_time & (Post.id < post.id))
    later = same_list & sa.or_(Post.published_at > post.published_at,
                               same_time & (Post.id > post.id))
    before = (sa.select(Post.id).where(earlier)
              .order_by(Post.published_at.desc(), Post.id.desc()).limit(1).subquery())
    after = (sa.select(Post.id).where(later)
             .order_by(Post.published_at, Post.id).limit(1).subquery())
    both = db.session.scalars(sa.select(Post).where(
        Post.id.in_(sa.union_all(sa.select(before.c.id), sa.select(after.c.id))))).all()
    key = (post.published_at, post.id)
    previous = next((p for p in both if (p.published_at, p.id) < key), None)
    following = next((p for p in both if (p.published_at, p.id) > key), None)
    return previous, following


def latest_posts(limit: int = 20, mailing_list=None) -> list[Post]:
    return list(
        db.session.scalars(
            sa.select(Post).where(in_list(mailing_list))
            .order_by(Post.published_at.desc(), Post.id.desc()).limit(limit)
        )
    )
