"""The archive's part of a person's data: their comments and their commenter address
(listserve.core.personal_data asks for it on export and erasure)."""

import sqlalchemy as sa
from flask import Flask

from listserve.archive.models import Comment, Commenter, Post
from listserve.archive.moderation import delete_comment
from listserve.core.personal_data import Holder, register
from listserve.extensions import db


def init_app(app: Flask) -> None:
    register(app, Holder("comments", erase=erase_comments, export=export_comments))


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _commenter(email_key: str) -> Commenter | None:
    return db.session.scalar(sa.select(Commenter).filter_by(email_key=email_key))


def _comments_of(email_key: str) -> list:
    commenter = _commenter(email_key)
    if commenter is None:
        return []
    return db.session.execute(
        sa.select(Comment, Post.subject)
        .join(Post, Post.id == Comment.post_id)
        .where(Comment.commenter_id == commenter.id)
        .order_by(Comment.id)
    ).all()


def export_comments(email_key: str) -> list[dict]:
    return [
        {
            "post": subject,
            "name": comment.author_name,
            "text": comment.body_markdown,
            "status": comment.status,
            "written_at": _iso(comment.created_at),
        }
        for comment, subject in _comments_of(email_key)
    ]


def erase_comments(email_key: str) -> None:
    """Their comments go as a committee member's delete does (an empty placeholder stays only
    where others' replies hang from one), and their address with them."""
    commenter = _commenter(email_key)
    if commenter is None:
        return
    for comment, _subject in _comments_of(email_key):
        delete_comment(comment)
    if db.session.scalar(sa.select(Comment.id).where(Comment.commenter_id == commenter.id)
                         .limit(1)) is None:
        db.session.delete(commenter)
    else:  # placeholders still point at it: keep the row, not the address
        commenter.email = commenter.email_key = f"erased-{commenter.id}"
        commenter.verified_at = commenter.verification_sent_at = None
