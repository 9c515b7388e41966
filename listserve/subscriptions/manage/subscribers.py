"""The admin's view of subscribers: the filtered table and one person's full record."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from listserve.core.lists import MailingList
from listserve.delivery.models import Mailing, OutboxEntry, OutboxStatus
from listserve.extensions import db
from listserve.subscriptions.manage.selection import Selection, apply_selection
from listserve.subscriptions.models import BounceEvent, Subscriber, Subscription

PER_PAGE = 50
HISTORY = 20  # copies shown on the detail page
BOUNCE_HISTORY = 50  # bounce events shown on the detail page


def search_subscriptions(selection: Selection, page: int = 1, per_page: int = PER_PAGE):
    """A page (flask_sqlalchemy Pagination) of subscriptions, newest first."""
    statement = apply_selection(
        sa.select(Subscription)
        .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .options(contains_eager(Subscription.subscriber), selectinload(Subscription.mailing_list))
        .order_by(Subscription.id.desc()),
        selection,
    )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False, count=True)


def list_mailing_lists() -> list[MailingList]:
    return list(db.session.scalars(sa.select(MailingList).order_by(MailingList.name)))


@dataclass
class SubscriberRecord:
    subscription: Subscription
    copies: list[tuple[OutboxEntry, Mailing]]  # newest first
    failed_copies: int
    bounces: list[tuple[BounceEvent, str | None]]  # newest first, with the bounced mail's subject
    bounce_count: int


def get_subscriber_record(subscription_id: int) -> SubscriberRecord | None:
    """Everything about one subscription: consent records, recent copies and their replies."""
    subscription = db.session.get(
        Subscription, subscription_id,
        options=[selectinload(Subscription.consents), selectinload(Subscription.subscriber)],
    )
    if subscription is None:
        return None
    copies = db.session.execute(
        sa.select(OutboxEntry, Mailing)
        .join(Mailing, Mailing.id == OutboxEntry.mailing_id)
        .where(OutboxEntry.subscription_id == subscription_id)
        .order_by(OutboxEntry.id.desc())
        .limit(HISTORY)
    ).all()
    failed = db.session.scalar(
        sa.select(sa.func.count(OutboxEntry.id)).where(
            OutboxEntry.subscription_id == subscription_id,
            OutboxEntry.status == OutboxStatus.FAILED,
        )
    )
    bounces, bounce_count = bounce_history(subscription_id)
    return SubscriberRecord(subscription, [tuple(row) for row in copies], failed, bounces,
                            bounce_count)


def bounce_history(subscription_id: int) -> tuple[list[tuple[BounceEvent, str | None]], int]:
    """The latest bounce events of a subscription (refusals when sending, delivery reports
    received later), newest first, each with the subject of the mail that bounced; and how
    many there are in all."""
    rows = db.session.execute(
        sa.select(BounceEvent, Mailing.subject)
        .outerjoin(OutboxEntry, OutboxEntry.id == BounceEvent.outbox_entry_id)
        .outerjoin(Mailing, Mailing.id == OutboxEntry.mailing_id)
        .where(BounceEvent.subscription_id == subscription_id)
        .order_by(BounceEvent.created_at.desc(), BounceEvent.id.desc())
        .limit(BOUNCE_HISTORY)
    ).all()
    total = db.session.scalar(
        sa.select(sa.func.count(BounceEvent.id)).where(
            BounceEvent.subscription_id == subscription_id
        )
    )
    return [tuple(row) for row in rows], total
