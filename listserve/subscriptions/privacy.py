"""A person's own data: everything we hold about them, and erasing it."""

import sqlalchemy as sa

from listserve.archive.models import Comment, Commenter, Post
from listserve.archive.moderation import delete_comment
from listserve.core.addresses import address_hash
from listserve.core.db import utcnow
from listserve.delivery.models import Mailing, OutboxEntry, OutboxStatus
from listserve.extensions import db
from listserve.inbound.models import InboundMessage
from listserve.subscriptions.models import SignupRequest, Subscriber, Suppression


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def export_subscriber_data(subscriber: Subscriber) -> dict:
    """Everything stored about one subscriber, as JSON-ready data."""
    subscription_ids = [s.id for s in subscriber.subscriptions]
    copies = db.session.execute(
        sa.select(OutboxEntry, Mailing.subject)
        .join(Mailing, Mailing.id == OutboxEntry.mailing_id)
        .where(OutboxEntry.subscription_id.in_(subscription_ids))
        .order_by(OutboxEntry.id)
    ).all()
    return {
        "email": subscriber.email,
        "name": subscriber.name,
        "created_at": _iso(subscriber.created_at),
        "subscriptions": [
            {
                "list": s.mailing_list.address,
                "list_name": s.mailing_list.name,
                "status": s.status,
                "requested_at": _iso(s.requested_at),
                "confirmed_at": _iso(s.confirmed_at),
                "unsubscribed_at": _iso(s.unsubscribed_at),
                "bounce_score": s.bounce_score,
                "consent_records": [
                    {
                        "source": c.source,
                        "asked_at": _iso(c.asked_at),
                        "confirmed_at": _iso(c.confirmed_at),
                        "ip": c.ip,
                        "user_agent": c.user_agent,
                        "consent_text": c.consent_text.text,
                        "consent_text_sha256": c.consent_text_sha256,
                    }
                    for c in s.consents
                ],
            }
            for s in subscriber.subscriptions
        ],
        "mail_sent_to_you": [
            {
                "subject": subject,
                "status": entry.status,
                "sent_at": _iso(entry.sent_at),
                "message_id": entry.message_id,
            }
            for entry, subject in copies
        ],
        "comments": [
            {
                "post": subject,
                "name": comment.author_name,
                "text": comment.body_markdown,
                "status": comment.status,
                "written_at": _iso(comment.created_at),
            }
            for comment, subject in _comments_of(subscriber)
        ],
        "exported_at": _iso(utcnow()),
    }


def _commenter(subscriber: Subscriber) -> Commenter | None:
    return db.session.scalar(sa.select(Commenter).filter_by(email_key=subscriber.email_key))


def _comments_of(subscriber: Subscriber) -> list:
    commenter = _commenter(subscriber)
    if commenter is None:
        return []
    return db.session.execute(
        sa.select(Comment, Post.subject)
        .join(Post, Post.id == Comment.post_id)
        .where(Comment.commenter_id == commenter.id)
        .order_by(Comment.id)
    ).all()


def _erase_comments(subscriber: Subscriber) -> None:
    """Their comments go as a committee member's delete does (an empty placeholder stays only
    where others' replies hang from one), and their address with them."""
    commenter = _commenter(subscriber)
    if commenter is None:
        return
    for comment, _subject in _comments_of(subscriber):
        delete_comment(comment)
    if db.session.scalar(sa.select(Comment.id).where(Comment.commenter_id == commenter.id)
                         .limit(1)) is None:
        db.session.delete(commenter)
    else:  # placeholders still point at it: keep the row, not the address
        commenter.email = commenter.email_key = f"erased-{commenter.id}"
        commenter.verified_at = commenter.verification_sent_at = None


def erase_subscriber(subscriber: Subscriber, reason: str = "erased by request") -> None:
    """Delete the person (their comments too) and keep only a hash of their address, so they
    are never mailed again unless they subscribe anew."""
    digest = address_hash(subscriber.email_key)
    subscription_ids = [s.id for s in subscriber.subscriptions]
    if subscription_ids:
        # Unsent copies are dropped; the delivery record of sent ones stays, without the address.
        db.session.execute(
            sa.delete(OutboxEntry).where(
                OutboxEntry.subscription_id.in_(subscription_ids),
                OutboxEntry.status.in_([OutboxStatus.QUEUED, OutboxStatus.RETRYING]),
            )
        )
    db.session.execute(
        sa.update(OutboxEntry)
        .where(sa.func.lower(OutboxEntry.recipient) == subscriber.email_key)
        .values(recipient=sa.literal("erased-") + sa.cast(OutboxEntry.id, sa.String),
                recipient_name="",
                subscription_id=None)
        .execution_options(synchronize_session=False)
    )
    # Mail they sent us (commands, replies) is theirs too.
    db.session.execute(
        sa.delete(InboundMessage).where(
            sa.or_(InboundMessage.sender == subscriber.email_key,
                   sa.func.lower(InboundMessage.envelope_from) == subscriber.email_key)
        )
    )
    _erase_comments(subscriber)
    # So is a request to join still waiting for a worker.
    db.session.execute(
        sa.delete(SignupRequest).where(sa.func.lower(SignupRequest.email) == subscriber.email_key)
    )
    if db.session.scalar(sa.select(Suppression).filter_by(address_sha256=digest)) is None:
        db.session.add(Suppression(address_sha256=digest, reason=reason[:40]))
    db.session.delete(subscriber)
    db.session.flush()
