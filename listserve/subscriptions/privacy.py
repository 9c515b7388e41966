"""A person's own data: everything we hold about them, and erasing it."""

import sqlalchemy as sa

from listserve.core.addresses import address_hash
from listserve.core.db import utcnow
from listserve.core.personal_data import erase_from, export_from
from listserve.delivery.outbox import copies_for, forget_recipient
from listserve.extensions import db
from listserve.subscriptions.models import SignupRequest, Subscriber, Suppression


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def export_subscriber_data(subscriber: Subscriber) -> dict:
    """Everything stored about one subscriber, as JSON-ready data."""
    subscription_ids = [s.id for s in subscriber.subscriptions]
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
                "subject": copy.subject,
                "status": copy.status,
                "sent_at": _iso(copy.sent_at),
                "message_id": copy.message_id,
            }
            for copy in copies_for(subscription_ids)
        ],
        **export_from(subscriber.email_key),
        "exported_at": _iso(utcnow()),
    }


def erase_subscriber(subscriber: Subscriber, reason: str = "erased by request") -> None:
    """Delete the person (their comments too) and keep only a hash of their address, so they
    are never mailed again unless they subscribe anew."""
    digest = address_hash(subscriber.email_key)
    subscription_ids = [s.id for s in subscriber.subscriptions]
    # Unsent copies are dropped; the delivery record of sent ones stays, without the address.
    forget_recipient(subscriber.email_key, subscription_ids)
    # What other features hold (comments, mail they sent us) goes too.
    erase_from(subscriber.email_key)
    # So is a request to join still waiting for a worker.
    db.session.execute(
        sa.delete(SignupRequest).where(sa.func.lower(SignupRequest.email) == subscriber.email_key)
    )
    if db.session.scalar(sa.select(Suppression).filter_by(address_sha256=digest)) is None:
        db.session.add(Suppression(address_sha256=digest, reason=reason[:40]))
    db.session.delete(subscriber)
    db.session.flush()
