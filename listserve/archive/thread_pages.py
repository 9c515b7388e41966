"""Reading a discussion list's archive: its threads, newest activity first, and one thread's
messages in reply order (each under the message it answers, earliest first)."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from listserve.archive.models import Post
from listserve.extensions import db


@dataclass
class ThreadSummary:
    thread_id: int
    subject: str
    messages: int
    last_activity: datetime
    started_by: str


@dataclass
class ThreadsPage:
    page: int
    pages: int
    threads: list[ThreadSummary]

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def list_threads(list_id: int, page: int = 1, per_page: int = 30) -> ThreadsPage:
    """A page of the list's threads, the one with the newest message first (two queries)."""
    in_list = sa.and_(Post.list_id == list_id, Post.thread_id.isnot(None))
    total = db.session.scalar(sa.select(sa.func.count(sa.distinct(Post.thread_id)))
                              .where(in_list)) or 0
    last = sa.func.max(Post.published_at).label("last")
    rows = db.session.execute(
        sa.select(Post.thread_id, sa.func.count(Post.id), last).where(in_list)
        .group_by(Post.thread_id).order_by(last.desc(), Post.thread_id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    roots = {post.id: post for post in db.session.scalars(
        sa.select(Post).where(Post.id.in_([row[0] for row in rows])))}
    threads = [
        ThreadSummary(thread_id, roots[thread_id].subject if thread_id in roots else _("(thread)"),
                      count, last_at, (roots[thread_id].author_name or "")
                      if thread_id in roots else "")
        for thread_id, count, last_at in rows
    ]
    return ThreadsPage(page, max(1, -(-total // per_page)), threads)


def thread_messages(list_id: int, thread_id: int) -> list[tuple[Post, int]]:
    """(message, depth) of a thread in reply order; [] when there is no such thread."""
    posts = list(db.session.scalars(
        sa.select(Post).where(Post.list_id == list_id, Post.thread_id == thread_id)
        .order_by(Post.published_at, Post.id)))
    by_id = {post.message_id: post for post in posts if post.message_id}
    children: dict[int | None, list[Post]] = {}
    for post in posts:
        parent = by_id.get(post.in_reply_to) if post.in_reply_to else None
        if parent is None and post.references:  # the nearest referenced message we have
            refs = [ref.strip("<>") for ref in post.references.split()]
            parent = next((by_id[ref] for ref in reversed(refs) if ref in by_id), None)
        if parent is post:
            parent = None
        children.setdefault(parent.id if parent else None, []).append(post)
    ordered: list[tuple[Post, int]] = []
    stack = [(post, 0) for post in reversed(children.get(None, []))]
    seen = set()
    while stack:
        post, depth = stack.pop()
        if post.id in seen:
            continue
        seen.add(post.id)
        ordered.append((post, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(post.id, [])))
    ordered += [(post, 0) for post in posts if post.id not in seen]  # a cycle of references
    return ordered
