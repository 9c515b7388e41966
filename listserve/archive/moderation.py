"""What committee members do with comments: approve, hide, delete, mark a spammer."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from listserve.archive.comments import publish_comment
from listserve.archive.models import Comment, Commenter, CommentStatus
from listserve.extensions import db

PENDING = (CommentStatus.UNVERIFIED, CommentStatus.HELD)


class CommentGone(LookupError):
    """The comment (or its address) no longer exists."""


def get_comment(comment_id: int) -> Comment:
    """Raises CommentGone."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise CommentGone(_("That comment no longer exists."))
    return comment


def held_comments() -> list[Comment]:
    """The moderation queue: comments waiting for the committee, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Comment)
            .where(Comment.status == CommentStatus.HELD)
            .options(joinedload(Comment.post), joinedload(Comment.commenter))
            .order_by(Comment.created_at, Comment.id)
        )
    )


def recent_comments(limit: int = 50) -> list[Comment]:
    """Comments readers can see (or the committee hid), newest first."""
    return list(
        db.session.scalars(
            sa.select(Comment)
            .where(Comment.status.in_((CommentStatus.PUBLISHED, CommentStatus.HIDDEN)))
            .options(joinedload(Comment.post), joinedload(Comment.commenter))
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .limit(limit)
        )
    )


def approve_comment(comment: Comment) -> None:
    """Publish a held (or hidden) comment; its parent's author hears of it if they asked."""
    if comment.status == CommentStatus.DELETED:
        raise CommentGone("A deleted comment cannot be brought back.")
    publish_comment(comment)
    db.session.flush()


def hide_comment(comment: Comment) -> None:
    """Keep the comment's place on the page, but show "hidden by the committee"."""
    if comment.status == CommentStatus.DELETED:
        raise CommentGone(_("That comment was deleted."))
    comment.status = CommentStatus.HIDDEN
    db.session.flush()


def delete_comment(comment: Comment) -> None:
    """Remove a comment; while replies hang from it, an empty placeholder stays."""
    has_replies = db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(Comment.parent_id == comment.id)
    )
    if has_replies:
        comment.status = CommentStatus.DELETED
        comment.author_name = ""
        comment.body_markdown = ""
        comment.body_html = ""
        comment.verify_nonce = None
    else:
        db.session.delete(comment)
    db.session.flush()


def mark_spammer(commenter: Commenter) -> int:
    """Hold this address's pending comments and every future one; return how many were held."""
    commenter.spammer = True
    held = db.session.execute(
        sa.update(Comment)
        .where(Comment.commenter_id == commenter.id, Comment.status.in_(PENDING))
        .values(status=CommentStatus.HELD, verify_nonce=None)
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    return held.rowcount
