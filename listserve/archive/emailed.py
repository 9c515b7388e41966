"""Replies to announcements, received by email, become comments on the archived post.

The receiver (listserve.inbound.replies) finds the mailing a reply answers; here the reply's
own words become a comment. An email's From can be forged and has no browser to remember, so
an emailed comment always waits for the button in a verification mail sent for it alone;
then the web's rules apply (held for the committee when the list holds every comment or the
address is a spammer's).
"""

import unicodedata

import sqlalchemy as sa
from flask import current_app

from listserve.archive.comments import CommentDraft, submit_comment
from listserve.archive.models import Comment, Post
from listserve.archive.reply_text import cap_text, reply_body, trim_reply
from listserve.delivery.control import announcement_id_of
from listserve.delivery.models import Mailing
from listserve.extensions import db


class EmptyReply(ValueError):
    """Nothing of the sender's own is left once quotes and signature are trimmed."""


def post_for_mailing(mailing_id: int | None) -> Post | None:
    """The archived post an announcement mailing published (None for notices and tests); for
    the mailing of a translation, the post of its announcement."""
    if mailing_id is None:
        return None
    post = db.session.scalar(
        sa.select(Post).where(Post.mailing_id == mailing_id).order_by(Post.id).limit(1)
    )
    if post is not None:
        return post
    mailing = db.session.get(Mailing, mailing_id)
    announcement_id = announcement_id_of(mailing) if mailing is not None else None
    if announcement_id is None:
        return None
    return db.session.scalar(
        sa.select(Post).where(Post.announcement_id == announcement_id).order_by(Post.id).limit(1)
    )


def comment_from_reply(post: Post, sender: str, sender_name: str, raw: bytes) -> Comment:
    """Turn a reply into a comment waiting for its sender's confirmation.

    Raises EmptyReply, and what submit_comment raises (InvalidAddress, UnsafeHeaderValue,
    CommentRefused, CommentLimitReached) before anything is stored.
    """
    text = trim_reply(reply_body(raw))
    if not text:
        raise EmptyReply("nothing but quoted text or a signature")
    draft = CommentDraft(
        name=author_name(sender_name, sender),
        email=sender,
        body=cap_text(text, current_app.config["COMMENT_MAX_LENGTH"]),
    )
    return submit_comment(post, draft, verified_key=None, via="email")


def author_name(display_name: str, address: str) -> str:
    """The From header's display name, as one clean line; else the address's local part.

    A name that holds an address is not used: the archive is public.
    """
    name = "".join(ch for ch in display_name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = " ".join(name.replace('"', " ").split())[:100].strip()
    if not name or "@" in name:
        name = address.rpartition("@")[0][:100] or "A reader"
    return name
