"""Seeding subscriptions with known histories, straight through the models."""

from datetime import UTC, datetime

from listserve.core.lists import get_default_list
from listserve.extensions import db
from listserve.subscriptions.models import Subscriber, Subscription


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def seed(app, email, status="confirmed", name="", requested="2024-01-01", confirmed=None,
         unsubscribed=None, bounce_score=0.0) -> int:
    """Add one subscriber with one subscription as described; return the subscription id."""
    with app.app_context():
        subscriber = Subscriber(email=email, email_key=email.lower(), name=name)
        subscription = Subscription(
            subscriber=subscriber, mailing_list=get_default_list(), status=status,
            requested_at=at(requested), created_at=at(requested),
            confirmed_at=at(confirmed) if confirmed else None,
            unsubscribed_at=at(unsubscribed) if unsubscribed else None,
            bounce_score=bounce_score,
        )
        db.session.add(subscription)
        db.session.commit()
        return subscription.id
