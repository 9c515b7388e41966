"""Readers' comments: written, proven by email, published; replies one level deep.

A reader need not join the list. The first comment from an address waits until its author
presses the button in a verification mail; after that the browser is remembered (a signed
cookie, see listserve.archive.reader) and the next comments publish at once. A comment that
came by email (listserve.archive.emailed) has no browser: it always waits for a link of its
own, and no other link releases it, so a forged From address publishes nothing.
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from listserve.archive.comment_notices import (
    comment_for_verification,
    notify_parent,
    send_verification,
)
from listserve.archive.models import Comment, Commenter, CommentStatus, Post
from listserve.core.addresses import normalise_address
from listserve.core.db import utcnow
from listserve.core.events import emit
from listserve.core.headers import check_header_value, has_control_characters
from listserve.core.lists import CommentPolicy, MailingList, get_default_list
from listserve.core.rendering import render_comment_html
from listserve.extensions import db

VISIBLE = (CommentStatus.PUBLISHED, CommentStatus.HIDDEN, CommentStatus.DELETED)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CommentRefused(ValueError):
    """The comment cannot be taken as written; the message says why, for the person."""


class CommentLimitReached(CommentRefused):
    """Too many comments from one address lately."""


@dataclass(frozen=True)
class CommentDraft:
    """What a reader typed."""

    name: str
    email: str
    body: str
    notify_replies: bool = False
    parent_id: int | None = None


@dataclass
class Thread:
    """A top-level comment and its replies, as the post page shows them."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def submit_comment(
    post: Post, draft: CommentDraft, *, verified_key: str | None, via: str = "web"
) -> Comment:
    """Store a comment: live at once when the browser has proven this address, otherwise
    waiting for a verification mail; held for the committee when the list says so or the
    address is a spammer's. Raises InvalidAddress, UnsafeHeaderValue, CommentRefused and
    CommentLimitReached before anything is stored."""
    if _policy_of(post) == CommentPolicy.CLOSED:
        raise CommentRefused(_("Comments on this list are closed."))
    address, key = normalise_address(draft.email)
    name = _clean_name(draft.name)
    body = _clean_body(draft.body)
    parent = _parent_for(post, draft.parent_id)
    commenter = _commenter_for(address, key)
    comment = Comment(
        post=post,
        parent=parent,
        commenter=commenter,
        author_name=name,
        body_markdown=body,
        body_html=render_comment_html(body),
        notify_replies=bool(draft.notify_replies),
        via=via,
    )
    db.session.add(comment)
    db.session.flush()
    if via == "web" and verified_key == key and commenter.verified_at is not None:
        _release(comment)
    else:
        comment.verify_nonce = secrets.token_hex(8)
        send_verification(comment)
    db.session.flush()
    return comment


def _clean_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise CommentRefused(_("Please give a name to show with your comment."))
    if has_control_characters(name):
        raise CommentRefused(_("Your name contains control characters; please retype it."))
    return check_header_value(name, "name")[:100]


def _clean_body(raw: str) -> str:
    body = _CONTROL.sub("", (raw or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not body:
        raise CommentRefused(_("Please write a comment."))
    limit = current_app.config["COMMENT_MAX_LENGTH"]
    if len(body) > limit:
        raise CommentRefused(_("Comments are limited to %(limit)d characters; yours has "
                               "%(length)d.", limit=limit, length=len(body)))
    return body


def _parent_for(post: Post, parent_id: int | None) -> Comment | None:
    if parent_id is None:
        return None
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.post_id != post.id or parent.status != CommentStatus.PUBLISHED:
        raise CommentRefused(_("The comment you are replying to is no longer there."))
    # Replies are one level deep: a reply to a reply joins the same conversation.
    return parent.parent or parent


def _commenter_for(address: str, key: str) -> Commenter:
    commenter = db.session.scalar(sa.select(Commenter).filter_by(email_key=key))
    if commenter is None:
        commenter = Commenter(email=address, email_key=key)
        db.session.add(commenter)
        db.session.flush()
        return commenter
    an_hour_ago = utcnow() - timedelta(hours=1)
    recent = db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(
            Comment.commenter_id == commenter.id, Comment.created_at > an_hour_ago
        )
    )
    if recent >= current_app.config["COMMENT_ADDRESS_HOURLY_LIMIT"]:
        raise CommentLimitReached(_(
            "You have written many comments in the last hour. Please wait a little; "
            "your comment is still in the form."
        ))
    return commenter


def _release(comment: Comment) -> None:
    """A proven comment goes live, unless the committee must see it first."""
    if comment.commenter.spammer or _held_by_policy(comment):
        comment.status = CommentStatus.HELD
        db.session.flush()
        emit("comment.held", comment_event(comment))
    else:
        publish_comment(comment)


def _policy_of(post: Post) -> str:
    mailing_list = db.session.get(MailingList, post.list_id) if post.list_id else None
    return (mailing_list or get_default_list()).comment_policy


def _held_by_policy(comment: Comment) -> bool:
    policy = _policy_of(comment.post)
    if policy == CommentPolicy.FIRST_HELD:
        # Held until the committee has let one of this address's comments through.
        return not db.session.scalar(sa.select(Comment.id).where(
            Comment.commenter_id == comment.commenter_id,
            Comment.status == CommentStatus.PUBLISHED).limit(1))
    return policy in (CommentPolicy.ALL_HELD, CommentPolicy.CLOSED)


def publish_comment(comment: Comment) -> None:
    """Show a comment, and tell the author of the comment it answers when they asked."""
    comment.status = CommentStatus.PUBLISHED
    comment.verify_nonce = None
    comment.published_at = comment.published_at or utcnow()
    notify_parent(comment)
    db.session.flush()
    emit("comment.posted", comment_event(comment))


def comment_event(comment: Comment) -> dict:
    """What an event about a comment tells its listeners (not the commenter's address)."""
    return {"comment_id": comment.id, "post_id": comment.post_id,
            "author_name": comment.author_name, "status": comment.status}


def verify_comment(token: str) -> Comment:
    """Prove the address a link was sent to and release the comments waiting on it: this one
    and those written on the web (raises TokenError, TokenExpired)."""
    comment = comment_for_verification(token)
    commenter = comment.commenter
    commenter.verified_at = utcnow()
    commenter.verification_sent_at = None  # nothing waits now: the next new browser gets a mail
    waiting = db.session.scalars(
        sa.select(Comment)
        .where(
            Comment.commenter_id == commenter.id,
            Comment.status == CommentStatus.UNVERIFIED,
            sa.or_(Comment.via != "email", Comment.id == comment.id),
        )
        .order_by(Comment.id)
    )
    for each in waiting:
        each.verify_nonce = None
        _release(each)
    db.session.flush()
    return comment


def comment_threads(post: Post) -> list[Thread]:
    """The comments a post page shows, oldest first, replies under their comment; one query.

    Hidden comments stay in place (shown as hidden); deleted ones only while replies hang
    from them.
    """
    rows = db.session.scalars(
        sa.select(Comment)
        .where(Comment.post_id == post.id, Comment.status.in_(VISIBLE))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    threads = {c.id: Thread(c) for c in rows if c.parent_id is None}
    for reply in rows:
        if reply.parent_id in threads and reply.status != CommentStatus.DELETED:
            threads[reply.parent_id].replies.append(reply)
    return [
        t for t in threads.values() if t.comment.status != CommentStatus.DELETED or t.replies
    ]
