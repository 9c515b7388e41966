"""The set-based writes behind an import: a few statements per batch, never one ORM object
per row. Written with the dialect's INSERT … ON CONFLICT, so PostgreSQL and SQLite run the
same code."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from listserve.dbtypes import UTCDateTime
from listserve.delivery.models import Mailing, OutboxEntry, OutboxStatus
from listserve.extensions import db
from listserve.subscriptions.models import ConsentRecord, Subscriber, Subscription

SUBSCRIBER = Subscriber.__table__
SUBSCRIPTION = Subscription.__table__


def _dialect_insert(table: sa.Table):
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def upsert_subscribers(people: list[dict]) -> dict[str, int]:
    """Insert new subscribers, fill in missing names of known ones; return {email_key: id}.

    `people` holds dicts with email, email_key, name, created_at; keys must be unique.
    """
    insert = _dialect_insert(SUBSCRIBER)
    statement = insert.on_conflict_do_update(
        index_elements=[SUBSCRIBER.c.email_key],
        set_={
            "name": sa.case(
                (SUBSCRIBER.c.name == "", insert.excluded.name), else_=SUBSCRIBER.c.name
            )
        },
    ).returning(SUBSCRIBER.c.email_key, SUBSCRIBER.c.id)
    return {key: id_ for key, id_ in db.session.execute(statement, people)}


def existing_subscriptions(list_id: int, subscriber_ids: list[int]) -> dict[int, datetime]:
    """{subscriber_id: created_at} of the subscriptions these people already have on the list."""
    rows = db.session.execute(
        sa.select(Subscription.subscriber_id, Subscription.created_at).where(
            Subscription.list_id == list_id, Subscription.subscriber_id.in_(subscriber_ids)
        )
    )
    return {key: value for key, value in rows}


def insert_subscriptions(subscriptions: list[dict]) -> list[tuple[int, str]]:
    """Insert the subscriptions; return (id, status) of each."""
    statement = sa.insert(SUBSCRIPTION).returning(SUBSCRIPTION.c.id, SUBSCRIPTION.c.status)
    return [(sid, status) for sid, status in db.session.execute(statement, subscriptions)]


def insert_consent_records(subscription_ids: list[int], source: str, text_sha256: str) -> None:
    """One consent record per subscription, dated as the subscription says (one statement)."""
    if not subscription_ids:
        return
    records = sa.select(
        Subscription.id,
        sa.literal(source),
        Subscription.requested_at,
        Subscription.confirmed_at,
        sa.literal(text_sha256),
    ).where(Subscription.id.in_(subscription_ids))
    db.session.execute(
        sa.insert(ConsentRecord).from_select(
            ["subscription_id", "source", "asked_at", "confirmed_at", "consent_text_sha256"],
            records,
        )
    )


def queue_copies(mailing: Mailing, subscription_ids: list[int], now: datetime) -> int:
    """One outbox row per subscription, addressed to its subscriber (INSERT … SELECT)."""
    if not subscription_ids:
        return 0
    recipients = (
        sa.select(
            sa.literal(mailing.id),
            Subscription.id,
            Subscriber.email,
            Subscriber.name,
            sa.literal(OutboxStatus.QUEUED.value),
            sa.literal(0),
            sa.literal(now, UTCDateTime),
            sa.literal(now, UTCDateTime),
        )
        .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(Subscription.id.in_(subscription_ids))
    )
    db.session.execute(
        sa.insert(OutboxEntry).from_select(
            ["mailing_id", "subscription_id", "recipient", "recipient_name", "status",
             "attempts", "next_attempt_at", "created_at"],
            recipients,
        )
    )
    return len(subscription_ids)  # one copy each: every subscription has its own address
