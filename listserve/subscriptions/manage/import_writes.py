"""The set-based writes behind an import.

Each batch of checked lines goes into a temporary staging table (COPY on PostgreSQL, one
executemany on SQLite); everything after that is a handful of INSERT … SELECT and UPDATE
statements shared by both engines — never one ORM object or one statement per row.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from listserve.core.db import UTCDateTime
from listserve.delivery.outbox import enqueue_copies
from listserve.extensions import db
from listserve.subscriptions.models import (
    ConsentRecord,
    Subscriber,
    Subscription,
    SubscriptionStatus,
    Suppression,
)

STAGED = (
    "line", "email", "email_key", "name", "address_sha256", "status", "requested_at",
    "confirmed_at", "unsubscribed_at", "disabled_at", "confirm_nonce", "confirmation_sent_at",
    "language",
)
STAGING = sa.Table(
    "import_staging",
    sa.MetaData(),  # not the app's metadata: a temporary table, never migrated
    sa.Column("line", sa.Integer),
    sa.Column("email", sa.String(320)),
    sa.Column("email_key", sa.String(320)),
    sa.Column("name", sa.String(200)),
    sa.Column("address_sha256", sa.String(64)),
    sa.Column("status", sa.String(16)),
    *(sa.Column(name, UTCDateTime) for name in (
        "requested_at", "confirmed_at", "unsubscribed_at", "disabled_at")),
    sa.Column("confirm_nonce", sa.String(32)),
    sa.Column("confirmation_sent_at", UTCDateTime),
    sa.Column("language", sa.String(8)),
    sa.Column("subscriber_id", sa.Integer),
    sa.Column("known_since", UTCDateTime),  # created_at of the person's subscription, if any
    prefixes=["TEMPORARY"],
)
IS_NEW = STAGING.c.known_since.is_(None)  # not yet on the list


@dataclass
class BatchCounts:
    added: dict[str, int]  # status -> subscriptions added
    duplicates: int  # added earlier in this same import
    already_on_list: int
    erased_lines: list[int]


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def open_staging() -> None:
    connection = db.session.connection()
    connection.exec_driver_sql("DROP TABLE IF EXISTS import_staging")
    STAGING.create(connection)


def close_staging() -> None:
    db.session.connection().exec_driver_sql("DROP TABLE IF EXISTS import_staging")


def _fill_staging(rows: list[tuple]) -> None:
    if not _is_postgresql():
        db.session.execute(STAGING.delete())
        db.session.execute(STAGING.insert(), [dict(zip(STAGED, row, strict=True)) for row in rows])
        return
    # TRUNCATE, not DELETE: dead rows would pile up for the whole import's transaction and
    # make every later batch slower. ANALYZE so the planner joins through the indexes.
    connection = db.session.connection()
    connection.exec_driver_sql("TRUNCATE import_staging")
    cursor = connection.connection.dbapi_connection.cursor()
    with cursor.copy(f"COPY import_staging ({', '.join(STAGED)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    connection.exec_driver_sql("ANALYZE import_staging")


def write_batch(rows: list[tuple], list_id: int, now: datetime) -> BatchCounts:
    """Stage the rows (tuples in STAGED order, unique email_key) and apply them to the list."""
    _fill_staging(rows)
    erased_lines = _drop_erased()
    _upsert_subscribers(now)
    _look_up_people(list_id)
    duplicates, known = db.session.execute(sa.select(
        sa.func.count().filter(STAGING.c.known_since == now),
        sa.func.count(STAGING.c.known_since),
    )).one()
    added = dict(db.session.execute(
        sa.select(STAGING.c.status, sa.func.count())
        .where(IS_NEW).group_by(STAGING.c.status)
    ).all())
    _insert_subscriptions(list_id, now)
    return BatchCounts(added, duplicates, known - duplicates, erased_lines)


def _drop_erased() -> list[int]:
    erased = STAGING.c.address_sha256.in_(sa.select(Suppression.address_sha256))
    lines = list(db.session.scalars(sa.select(STAGING.c.line).where(erased)))
    if lines:
        db.session.execute(STAGING.delete().where(erased))
    return lines


def _upsert_subscribers(now: datetime) -> None:
    """New subscribers are added; known ones only get a missing name filled in."""
    table = Subscriber.__table__
    insert = (postgresql.insert if _is_postgresql() else sqlite.insert)(table)
    people = sa.select(
        STAGING.c.email, STAGING.c.email_key, STAGING.c.name, sa.literal(now, UTCDateTime)
    ).where(sa.true())  # SQLite needs a WHERE to parse INSERT … SELECT … ON CONFLICT
    db.session.execute(
        insert.from_select(["email", "email_key", "name", "created_at"], people)
        .on_conflict_do_update(
            index_elements=[table.c.email_key],
            set_={"name": sa.case((table.c.name == "", insert.excluded.name),
                                  else_=table.c.name)},
        )
    )


def _own_subscription(list_id: int):
    return sa.and_(Subscription.subscriber_id == STAGING.c.subscriber_id,
                   Subscription.list_id == list_id)


def _look_up_people(list_id: int) -> None:
    """Note each staged person's subscriber id and, when they have one, their subscription."""
    by_key = Subscriber.email_key == STAGING.c.email_key
    db.session.execute(STAGING.update().values(
        subscriber_id=sa.select(Subscriber.id).where(by_key).scalar_subquery(),
        known_since=sa.select(Subscription.created_at)
        .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(by_key, Subscription.list_id == list_id).scalar_subquery(),
    ))


def _insert_subscriptions(list_id: int, now: datetime) -> None:
    columns = ["subscriber_id", "list_id", "created_at", "notice_sent_at", "bounce_score",
               "last_bounce_at", *STAGED[5:]]
    values = sa.select(
        STAGING.c.subscriber_id, sa.literal(list_id), sa.literal(now, UTCDateTime),
        sa.null(), sa.literal(0.0), sa.null(), *(STAGING.c[name] for name in STAGED[5:])
    ).where(IS_NEW)
    db.session.execute(sa.insert(Subscription).from_select(columns, values))


def insert_consent_records(list_id: int, source: str, text_sha256: str) -> None:
    """A consent record for every subscription the batch added, except those who had left."""
    records = (
        sa.select(Subscription.id, sa.literal(source), Subscription.requested_at,
                  Subscription.confirmed_at, sa.literal(text_sha256))
        .select_from(STAGING).join(Subscription, _own_subscription(list_id))
        .where(IS_NEW, STAGING.c.status != SubscriptionStatus.UNSUBSCRIBED.value)
    )
    db.session.execute(sa.insert(ConsentRecord).from_select(
        ["subscription_id", "source", "asked_at", "confirmed_at", "consent_text_sha256"], records
    ))


IS_PENDING = STAGING.c.status == SubscriptionStatus.PENDING.value


def pending_languages() -> list[str | None]:
    """The languages (None: not stated) of the pending subscriptions the batch added."""
    return list(db.session.scalars(
        sa.select(STAGING.c.language).where(IS_NEW, IS_PENDING).distinct()))


def queue_confirmations(mailing_id: int, list_id: int, now: datetime,
                        language: str | None = None) -> None:
    """One outbox row for every pending subscription the batch added in `language` (None:
    those with none stated), in one INSERT … SELECT."""
    same_language = (STAGING.c.language.is_(None) if language is None
                     else STAGING.c.language == language)
    enqueue_copies(mailing_id, (
        sa.select(Subscription.id, Subscriber.email, Subscriber.name)
        .select_from(STAGING).join(Subscription, _own_subscription(list_id))
        .join(Subscriber, Subscriber.id == STAGING.c.subscriber_id)
        .where(IS_NEW, IS_PENDING, same_language)
    ), now)
