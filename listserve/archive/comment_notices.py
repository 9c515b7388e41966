"""The mail a comment sends and the links in it: the verification that proves a commenter's
address, and the notice to the author of the comment a reply answers (with its link to stop
such notices)."""

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from listserve.archive.models import Comment, CommentStatus
from listserve.archive.services import post_url
from listserve.core.db import utcnow
from listserve.core.lists import get_default_list
from listserve.core.tokens import (
    TokenError,
    make_lasting_token,
    make_timed_token,
    read_lasting_token,
    read_timed_token,
)
from listserve.core.urls import external_url
from listserve.delivery.outbox import enqueue_notice
from listserve.extensions import db

VERIFY_PURPOSE = "verify-comment"
REPLY_NOTICES_PURPOSE = "comment-reply-notices"


def send_verification(comment: Comment) -> None:
    commenter = comment.commenter
    by_email = comment.via == "email"
    if not by_email:
        now = utcnow()
        interval = timedelta(seconds=current_app.config["COMMENT_VERIFY_RESEND_INTERVAL"])
        if commenter.verification_sent_at and now - commenter.verification_sent_at < interval:
            return  # the mail already on its way releases this comment too
        commenter.verification_sent_at = now
    token = make_timed_token(VERIFY_PURPOSE, [comment.id, comment.verify_nonce])
    enqueue_notice(
        purpose="comment.verify",
        template="archive/verify_emailed_comment" if by_email else "archive/verify_comment",
        subject=_("Please confirm your comment"),
        mailing_list=get_default_list(),
        recipient=commenter.email,
        recipient_name=comment.author_name,
        post=comment.post,
        comment=comment,
        verify_url=external_url("archive.verify_comment", token=token),
        max_age_days=current_app.config["CONFIRM_MAX_AGE"] // 86400,
    )


def notify_parent(comment: Comment) -> None:
    parent = comment.parent
    if (
        parent is None
        or comment.parent_notified_at is not None
        or not parent.notify_replies
        or parent.status != CommentStatus.PUBLISHED
        or parent.commenter_id == comment.commenter_id
    ):
        return
    comment.parent_notified_at = utcnow()
    post = comment.post
    token = make_lasting_token(REPLY_NOTICES_PURPOSE, [parent.id])
    enqueue_notice(
        purpose="comment.reply",
        template="archive/reply",
        subject=_("A reply to your comment"),
        mailing_list=get_default_list(),
        recipient=parent.commenter.email,
        recipient_name=parent.author_name,
        post=post,
        reply=comment,
        reply_url=f"{post_url(post)}#comment-{comment.id}",
        stop_url=external_url("archive.stop_reply_notices", token=token),
    )


def comment_for_verification(token: str) -> Comment:
    """The comment a verification link is for, changing nothing.

    Raises TokenExpired, or TokenError when the link is tampered with, already used, or
    its comment is gone.
    """
    payload = read_timed_token(VERIFY_PURPOSE, token, current_app.config["CONFIRM_MAX_AGE"])
    try:
        comment_id, nonce = payload
    except (TypeError, ValueError):
        raise TokenError("This link is not valid.") from None
    comment = db.session.get(Comment, comment_id) if isinstance(comment_id, int) else None
    if (
        comment is None
        or comment.status != CommentStatus.UNVERIFIED
        or comment.verify_nonce is None
        or not secrets.compare_digest(str(nonce), comment.verify_nonce)
    ):
        raise TokenError("This link has already been used or is no longer valid.")
    return comment


def comment_for_reply_notices(token: str) -> Comment | None:
    """The comment a stop-notices link names; None when it was deleted since (raises
    TokenError for a link we never made)."""
    payload = read_lasting_token(REPLY_NOTICES_PURPOSE, token)
    if not (isinstance(payload, list) and len(payload) == 1 and isinstance(payload[0], int)):
        raise TokenError("This link is not valid.")
    return db.session.get(Comment, payload[0])


def stop_reply_notices(comment: Comment) -> None:
    """No more mail about replies to this comment; idempotent."""
    comment.notify_replies = False
    db.session.flush()
