"""Messages of discussion lists in the archive, and the threads they make.

A message joins the thread of the nearest earlier message its In-Reply-To / References name;
with none found, a message whose subject is a reply ("Re: …") to an earlier subject of the same
list joins that one's thread; otherwise it starts a thread of its own (thread_id = its id).
"""

import re
from datetime import datetime

import sqlalchemy as sa

from listserve.archive.models import Post
from listserve.archive.services import publish_post
from listserve.extensions import db

REPLY_PREFIX_RE = re.compile(r"^\s*((re|fwd?|aw|sv|antw)\s*(\[\d+\])?\s*:\s*|\[[^\]]{1,60}\]\s*)+",
                             re.IGNORECASE)


def base_subject(subject: str) -> str:
    """The subject without "Re:"s and list prefixes, for threading by subject."""
    return REPLY_PREFIX_RE.sub("", subject or "").strip().lower()


def post_with_message_id(list_id: int, message_id: str) -> Post | None:
    if not message_id:
        return None
    return db.session.scalar(sa.select(Post).where(Post.list_id == list_id,
                                                   Post.message_id == message_id).limit(1))


def thread_for(list_id: int, subject: str, references: list[str]) -> int | None:
    """The thread a new message belongs to (see the module's docstring), or None."""
    refs = [ref for ref in references if ref][:50]
    if refs:
        found = dict(db.session.execute(
            sa.select(Post.message_id, Post.thread_id)
            .where(Post.list_id == list_id, Post.message_id.in_(refs))).all())
        for ref in refs[:1] + refs[1:][::-1]:  # In-Reply-To, then References newest first
            if found.get(ref):
                return found[ref]
    base = base_subject(subject)
    if base and base != (subject or "").strip().lower():
        return _by_subject(list_id, base)
    return None


def _by_subject(list_id: int, base: str) -> int | None:
    rows = db.session.execute(
        sa.select(Post.thread_id, Post.subject).where(
            Post.list_id == list_id, Post.thread_id.isnot(None),
            sa.func.lower(Post.subject).contains(base[:200]))
        .order_by(Post.published_at.desc()).limit(20)).all()
    return next((thread for thread, subject in rows if base_subject(subject) == base), None)


def archive_message(*, list_id: int, subject: str, text: str, html: str, author_name: str,
                    author_email: str, message_id: str, references: list[str],
                    published_at: datetime | None = None) -> Post:
    """Keep one message of a discussion list in its archive, threaded (flushes)."""
    post = publish_post(subject=subject or "(no subject)", body_markdown=text, body_html=html,
                        published_at=published_at, list_id=list_id)
    post.message_id = message_id[:250] or None
    post.in_reply_to = (references[0][:250] if references else None)
    post.references = " ".join(f"<{ref}>" for ref in references[1:])[:20000] or None
    post.author_name = author_name[:200]
    post.author_email = author_email[:320]
    post.thread_id = thread_for(list_id, subject, references) or post.id
    db.session.flush()
    return post
