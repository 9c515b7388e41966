"""Claiming copies: a worker leases a batch (claimed_by, claimed_until) in one short
transaction. Nobody else takes a leased copy until the lease runs out, so a worker that dies
leaves its batch to the next one; FOR UPDATE SKIP LOCKED lets many workers claim at once on
PostgreSQL, and BEGIN IMMEDIATE makes each claim a short write transaction on SQLite."""

import functools
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from listserve.core.db import IMMEDIATE, utcnow
from listserve.delivery.compose import Copy
from listserve.delivery.hooks import current_hooks
from listserve.delivery.models import (
    Mailing,
    MailingKind,
    MailingStatus,
    OutboxEntry,
    OutboxStatus,
)
from listserve.extensions import db

DUE_STATUSES = (OutboxStatus.QUEUED.value, OutboxStatus.RETRYING.value)
NOT_CONFIRMED = "not sent: the subscription is no longer confirmed"


def claim_batch(worker: str, size: int, lease_seconds: int) -> list[Copy]:
    """Lease up to `size` due copies to `worker`, commit, and return them in id order.

    Announcement copies whose subscription is no longer confirmed are marked cancelled in
    the same transaction instead of being returned.
    """
    now = utcnow()
    params = {"worker": worker, "now": now, "until": now + timedelta(seconds=lease_seconds)}
    claim = _claim_statement(db.engine.dialect.name, size, current_hooks().still_subscribed)
    try:
        begin_write()
        copies, unconfirmed = [], []
        for *row, gone in db.session.execute(claim, params):
            (unconfirmed if gone else copies).append(Copy(*row))
        skipped = _cancel_unconfirmed([c.id for c in unconfirmed], worker) if unconfirmed else ()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    copies += (c for c in unconfirmed if c.id not in skipped)
    return sorted(copies, key=lambda c: c.id)


@functools.lru_cache(maxsize=8)
def _claim_statement(dialect: str, size: int, still_subscribed) -> sa.Update:
    """The claim, built once (building it cost more worker CPU than running it). The batch
    size is written into the SQL: a LIMIT the planner cannot see (a generic plan, once
    psycopg prepares the statement) could tip it back to scanning every due row."""
    now = sa.bindparam("now")
    active = sa.select(Mailing.id).where(Mailing.status == MailingStatus.ACTIVE.value)
    if dialect == "postgresql":
        # The active mailings as an array computed once (an InitPlan), not a join: the
        # planner then reads the partial index ix_outbox_due in order and stops after
        # `size` rows. Joined to mailing (whose few rows it misjudges), it scanned and
        # sorted every due row of the outbox on every claim.
        in_active = OutboxEntry.mailing_id == sa.func.any(sa.func.array(active.scalar_subquery()))
    else:
        in_active = OutboxEntry.mailing_id.in_(active)
    due = (
        sa.select(OutboxEntry.id)
        .where(
            OutboxEntry.status.in_(DUE_STATUSES),
            OutboxEntry.next_attempt_at <= now,
            sa.or_(OutboxEntry.claimed_until.is_(None), OutboxEntry.claimed_until < now),
            in_active,
        )
        .order_by(OutboxEntry.next_attempt_at, OutboxEntry.id)
        .limit(sa.literal(size, literal_execute=True))
    )
    if dialect == "postgresql":
        due = due.with_for_update(skip_locked=True)
    return (
        sa.update(OutboxEntry)
        .where(OutboxEntry.id.in_(due.scalar_subquery()))
        .values(claimed_by=sa.bindparam("worker"), claimed_until=sa.bindparam("until"))
        .returning(
            OutboxEntry.id, OutboxEntry.mailing_id, OutboxEntry.subscription_id,
            OutboxEntry.recipient, OutboxEntry.recipient_name, OutboxEntry.message_id,
            OutboxEntry.attempts, _unconfirmed_announcement(still_subscribed),
        )
        .execution_options(synchronize_session=False)
    )


def _unconfirmed_announcement(still_subscribed) -> sa.ColumnElement[bool]:
    """True for an announcement copy to someone who left (or was disabled) since it was
    queued: read with the claim, so the common case needs no second statement. Whether the
    person is still subscribed is the subscriptions feature's condition (delivery.hooks): a
    scalar subquery on the subscription's status, one primary-key probe per claimed row (as
    NOT EXISTS, PostgreSQL hashed the whole subscription table on every claim)."""
    announcement = sa.select(Mailing.id).where(
        Mailing.id == OutboxEntry.mailing_id, Mailing.kind == MailingKind.ANNOUNCEMENT.value
    )
    return sa.and_(
        announcement.exists(), sa.not_(still_subscribed(OutboxEntry.subscription_id))
    ).label("unconfirmed")


def _cancel_unconfirmed(ids: list[int], worker: str) -> set[int]:
    """Cancel those of the claimed copies that are still (checked again here) announcement
    copies for people who are no longer confirmed."""
    still_subscribed = current_hooks().still_subscribed
    announcements = sa.select(Mailing.id).where(Mailing.kind == MailingKind.ANNOUNCEMENT.value)
    cancel = (
        sa.update(OutboxEntry)
        .where(
            OutboxEntry.id.in_(ids),
            OutboxEntry.claimed_by == worker,
            OutboxEntry.mailing_id.in_(announcements),
            sa.not_(still_subscribed(OutboxEntry.subscription_id)),
        )
        .values(status=OutboxStatus.CANCELLED.value, claimed_by=None, claimed_until=None,
                last_reply=NOT_CONFIRMED)
        .returning(OutboxEntry.id)
        .execution_options(synchronize_session=False)
    )
    return set(db.session.scalars(cancel))


def begin_write() -> None:
    """Start the session's next transaction as a writer (BEGIN IMMEDIATE on SQLite), so it
    waits its turn instead of failing when it would upgrade a read to a write.

    On PostgreSQL the worker's own bookkeeping commits without waiting for the disk
    (unless WORKER_SYNCHRONOUS_COMMIT): a worker crash still re-sends at most the group in
    flight, and a database crash can only forget the last moment of results — those
    copies go out again; nobody is ever lost.
    """
    connection = db.session.connection(execution_options=IMMEDIATE)
    if connection.dialect.name == "postgresql" and not current_app.config.get(
        "WORKER_SYNCHRONOUS_COMMIT"
    ):
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")


def renew_lease(ids: list[int], worker: str, lease_seconds: int) -> None:
    """Keep copies this worker still holds out of other workers' hands a while longer."""
    if ids:
        db.session.execute(
            sa.update(OutboxEntry)
            .where(OutboxEntry.id.in_(ids), OutboxEntry.claimed_by == worker)
            .values(claimed_until=utcnow() + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )


def release(ids: list[int], worker: str) -> None:
    """Give copies back unsent (a pause, a cancel, a stop), so others need not wait out the
    lease."""
    if ids:
        db.session.execute(
            sa.update(OutboxEntry)
            .where(OutboxEntry.id.in_(ids), OutboxEntry.claimed_by == worker)
            .values(claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )


_HALTED = sa.select(Mailing.id).where(
    Mailing.id.in_(sa.bindparam("ids", expanding=True)),
    Mailing.status != MailingStatus.ACTIVE.value,
)


def halted_mailings(mailing_ids: set[int]) -> set[int]:
    """Those of the mailings that were paused or cancelled since the batch was claimed (read
    before every group: the statement is built once)."""
    return set(db.session.scalars(_HALTED, {"ids": list(mailing_ids)}))
