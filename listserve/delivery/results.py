"""Recording what the server said about each copy: sent, retry later (4xx, with exponential
backoff up to a limit), or failed (5xx, counted toward the subscriber's bounce score)."""

from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app

from listserve.core.db import utcnow
from listserve.delivery.compose import Copy
from listserve.delivery.hooks import Bounce, current_hooks
from listserve.delivery.models import OutboxEntry, OutboxStatus
from listserve.delivery.transport import SendResult
from listserve.extensions import db

# PostgreSQL: every sent copy of a group in one statement, whatever the group size.
_MARK_SENT_PG = sa.text(
    "UPDATE outbox SET status = 'sent', attempts = outbox.attempts + 1, sent_at = :now, "
    "last_reply = sent.reply, message_id = sent.message_id, claimed_by = NULL, "
    "claimed_until = NULL "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:replies AS text[]), "
    "CAST(:message_ids AS text[])) AS sent(id, reply, message_id) "
    "WHERE outbox.id = sent.id"
)


class Outcome(NamedTuple):
    copy: Copy
    result: SendResult


def record_outcomes(outcomes: list[Outcome]) -> None:
    """Write a group of results (not committed: the caller commits the group at once).

    Each copy's Message-ID is stored with its result: an announcement copy is queued
    without one and the worker made it, so a reply or bounce can name the copy."""
    now = utcnow()
    sent = [o for o in outcomes if o.result.delivered]
    if sent:
        _mark_sent(sent, now)
    for outcome in outcomes:
        if not outcome.result.delivered:
            _mark_refused(outcome, now)


def _mark_sent(sent: list[Outcome], now: datetime) -> None:
    replies = [_reply_text(o.result) for o in sent]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(_MARK_SENT_PG, {
            "now": now, "ids": [o.copy.id for o in sent], "replies": replies,
            "message_ids": [o.copy.message_id for o in sent],
        })
        return
    outbox = OutboxEntry.__table__  # Core: one executemany, not the ORM's bulk machinery
    db.session.execute(
        sa.update(outbox)
        .where(outbox.c.id == sa.bindparam("entry_id"))
        .values(status=OutboxStatus.SENT.value, attempts=outbox.c.attempts + 1, sent_at=now,
                last_reply=sa.bindparam("reply"), message_id=sa.bindparam("message_id"),
                claimed_by=None, claimed_until=None),
        [{"entry_id": o.copy.id, "reply": r, "message_id": o.copy.message_id}
         for o, r in zip(sent, replies, strict=True)],
    )


def _mark_refused(outcome: Outcome, now: datetime) -> None:
    copy, result = outcome.copy, outcome.result
    attempts = copy.attempts + 1
    values = {"attempts": attempts, "last_reply": _reply_text(result),
              "claimed_by": None, "claimed_until": None}
    if copy.message_id is not None:  # it went out with it (a 4xx may come after DATA)
        values["message_id"] = copy.message_id
    if result.permanent or attempts >= current_app.config["WORKER_MAX_ATTEMPTS"]:
        values["status"] = OutboxStatus.FAILED.value
    else:
        values["status"] = OutboxStatus.RETRYING.value
        values["next_attempt_at"] = now + retry_delay(attempts)
    db.session.execute(
        sa.update(OutboxEntry).where(OutboxEntry.id == copy.id).values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.permanent and copy.subscription_id is not None and not result.local:
        bounce = Bounce(copy.subscription_id, copy.id, str(result.code), result.reply)
        for listener in current_hooks().bounce_listeners:
            listener(bounce)


def defer(ids: list[int], worker: str) -> None:
    """Copies never tried because the server could not be reached: try them again later
    (no attempt is counted against them)."""
    if ids:
        db.session.execute(
            sa.update(OutboxEntry)
            .where(OutboxEntry.id.in_(ids), OutboxEntry.claimed_by == worker)
            .values(next_attempt_at=utcnow() + retry_delay(1), claimed_by=None,
                    claimed_until=None)
            .execution_options(synchronize_session=False)
        )


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base … (base WORKER_RETRY_BASE_SECONDS), at most
    WORKER_RETRY_MAX_SECONDS."""
    cfg = current_app.config
    seconds = cfg["WORKER_RETRY_BASE_SECONDS"] * 2 ** (attempts - 1)
    return timedelta(seconds=min(seconds, cfg["WORKER_RETRY_MAX_SECONDS"]))


def _reply_text(result: SendResult) -> str:
    return f"{result.code} {result.reply}"[:2000]
