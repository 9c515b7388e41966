"""The delivery worker: claim a batch of due copies with a lease, send them over one SMTP
connection, record each result. Any number of workers can run; an expired lease (a worker
that died) is claimed again, so nothing is lost."""

import logging
import os
import smtplib
import socket
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from listserve.announcements.sending import start_due_announcements  # committee: scheduled sends
from listserve.dbsetup import IMMEDIATE
from listserve.dbtypes import utcnow
from listserve.delivery.compose import build_copy, envelope_sender
from listserve.delivery.models import Mailing, MailingStatus, OutboxEntry, OutboxStatus
from listserve.delivery.transport import SendResult, open_transport
from listserve.extensions import db
from listserve.subscriptions.models import MailingList

log = logging.getLogger(__name__)

DUE_STATUSES = (OutboxStatus.QUEUED, OutboxStatus.RETRYING)
RESULT_GROUP = 50  # results are committed this many at a time: a crash re-sends at most these


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_batch(worker: str, size: int, lease_seconds: int) -> list[int]:
    """Lease up to `size` due copies to `worker` and return their ids (committed)."""
    now = utcnow()
    due = (
        sa.select(OutboxEntry.id)
        .join(Mailing, Mailing.id == OutboxEntry.mailing_id)
        .where(
            OutboxEntry.status.in_(DUE_STATUSES),
            OutboxEntry.next_attempt_at <= now,
            sa.or_(OutboxEntry.claimed_until.is_(None), OutboxEntry.claimed_until < now),
            Mailing.status == MailingStatus.ACTIVE,
        )
        .order_by(OutboxEntry.id)
        .limit(size)
    )
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True, of=OutboxEntry)
    claim = (
        sa.update(OutboxEntry)
        .where(OutboxEntry.id.in_(due.scalar_subquery()))
        .values(claimed_by=worker, claimed_until=now + timedelta(seconds=lease_seconds))
        .returning(OutboxEntry.id)
        .execution_options(synchronize_session=False)
    )
    db.session.connection(execution_options=IMMEDIATE)
    ids = list(db.session.scalars(claim))
    db.session.commit()
    return sorted(ids)


def deliver_batch(ids: list[int], worker: str) -> int:
    """Send the claimed copies; return how many were handled."""
    copies = _build_copies(ids, worker)
    # No transaction stays open while SMTP is spoken: it would hold PostgreSQL row versions,
    # and on SQLite a read left open goes stale, so the results could not be written.
    db.session.commit()
    results: list[tuple[int, SendResult]] = []
    recorded = 0
    try:
        with open_transport() as transport:
            for entry_id, sender, recipient, data in copies:
                results.append((entry_id, transport.send(sender, recipient, data)))
                if len(results) - recorded >= RESULT_GROUP:
                    _record_results(results[recorded:])
                    recorded = len(results)
    except (OSError, smtplib.SMTPException) as exc:
        # The server went away or never answered: everything not yet sent retries later.
        log.warning("SMTP session failed after %d copies: %s", len(results), exc)
        failed = SendResult(421, f"connection failed: {exc}")
        handled = len(results)
        results += [(copy[0], failed) for copy in copies[handled:]]
        _record_results(results[recorded:])
        return handled
    _record_results(results[recorded:])
    return len(results)


def _build_copies(ids: list[int], worker: str) -> list[tuple[int, str, str, bytes]]:
    """Each claimed copy as (id, envelope sender, recipient, message bytes)."""
    entries = db.session.scalars(
        sa.select(OutboxEntry)
        .where(OutboxEntry.id.in_(ids), OutboxEntry.claimed_by == worker)
        .options(selectinload(OutboxEntry.mailing))
        .order_by(OutboxEntry.id)
    ).all()
    lists = {ml.id: ml for ml in db.session.scalars(sa.select(MailingList))}
    copies = []
    for entry in entries:
        mailing_list = lists[entry.mailing.list_id]
        copies.append((entry.id, envelope_sender(mailing_list, entry), entry.recipient,
                       build_copy(entry.mailing, entry, mailing_list)))
    return copies


def _record_results(results: list[tuple[int, SendResult]]) -> None:
    if not results:
        return
    db.session.connection(execution_options=IMMEDIATE)
    entries = {entry.id: entry for entry in db.session.scalars(
        sa.select(OutboxEntry).where(OutboxEntry.id.in_([entry_id for entry_id, _ in results]))
    )}
    for entry_id, result in results:
        if entry_id in entries:  # else deleted while it was being sent (an erasure)
            record_result(entries[entry_id], result)
    db.session.commit()


def record_result(entry: OutboxEntry, result: SendResult) -> None:
    now = utcnow()
    entry.attempts += 1
    entry.last_reply = f"{result.code} {result.reply}"[:2000]
    entry.claimed_by = None
    entry.claimed_until = None
    if result.delivered:
        entry.status = OutboxStatus.SENT
        entry.sent_at = now
    elif result.permanent or entry.attempts >= current_app.config["WORKER_MAX_ATTEMPTS"]:
        entry.status = OutboxStatus.FAILED
    else:
        entry.status = OutboxStatus.RETRYING
        entry.next_attempt_at = now + retry_delay(entry.attempts)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 1, 2, 4 … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def deliver_due(worker: str | None = None) -> int:
    """Claim and send one batch; return how many copies were handled (0: nothing due)."""
    worker = worker or worker_name()
    cfg = current_app.config
    ids = claim_batch(worker, cfg["WORKER_BATCH_SIZE"], cfg["WORKER_LEASE_SECONDS"])
    if not ids:
        return 0
    return deliver_batch(ids, worker)


def run_worker(burst: bool = False) -> int:
    """Deliver until stopped (or, with burst, until nothing is due). Return copies handled."""
    total = 0
    worker = worker_name()
    while True:
        start_due_announcements(utcnow())  # committee: start scheduled sends that are due
        handled = deliver_due(worker)
        total += handled
        if handled:
            continue
        if burst:
            return total
        time.sleep(current_app.config["WORKER_POLL_SECONDS"])
