"""Sending one claimed batch over one SMTP connection, committing results group by group."""

import logging
import smtplib
import threading
import time

import sqlalchemy as sa
from flask import current_app

from listserve.delivery.compose import (
    Copy,
    CopyTemplate,
    UnsendableCopy,
    envelope_sender,
    render_copy_template,
)
from listserve.delivery.leases import begin_write, halted_mailings, release, renew_lease
from listserve.delivery.models import Mailing
from listserve.delivery.results import Outcome, defer, record_outcomes
from listserve.delivery.signing import configured_signer
from listserve.delivery.transport import SendResult, open_transport
from listserve.delivery.verp import verp_key
from listserve.extensions import db
from listserve.subscriptions.models import MailingList
from listserve.tokens import lasting_serializer

log = logging.getLogger(__name__)


class RateLimit:
    """At most `per_second` messages a second across a worker's connections (0: no cap)."""

    def __init__(self, per_second: float = 0):
        self.interval = 1.0 / per_second if per_second else 0.0
        self.lock = threading.Lock()
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            slot = max(self.next_at, now)
            self.next_at = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


class CopyMaker:
    """Everything a worker thread needs to turn claimed rows into bytes, made once."""

    def __init__(self):
        self.templates: dict[int, CopyTemplate] = {}
        self.broken: dict[int, str] = {}  # mailing id -> why it cannot be composed
        self.tokens = lasting_serializer("unsubscribe")
        self.key = verp_key()
        self.signer = configured_signer()

    def load(self, mailing_ids: set[int]) -> None:
        missing = mailing_ids - self.templates.keys() - self.broken.keys()
        if not missing:
            return
        lists = {ml.id: ml for ml in db.session.scalars(sa.select(MailingList))}
        for mailing in db.session.scalars(sa.select(Mailing).where(Mailing.id.in_(missing))):
            try:
                self.templates[mailing.id] = render_copy_template(mailing, lists[mailing.list_id])
            except (ValueError, LookupError) as exc:  # checked when queued; never loop on it
                log.error("mailing %s cannot be composed: %s", mailing.id, exc)
                self.broken[mailing.id] = str(exc)
        if len(self.templates) > 64:  # old mailings are rarely seen again
            for mailing_id in list(self.templates)[:-64]:
                del self.templates[mailing_id]

    def make(self, copy: Copy) -> tuple[str, bytes]:
        """(envelope sender, message bytes); raises UnsendableCopy."""
        if copy.mailing_id in self.broken:
            raise UnsendableCopy(f"554 5.6.0 cannot compose: {self.broken[copy.mailing_id]}")
        template = self.templates[copy.mailing_id]
        token = None
        if copy.subscription_id is not None and template.leave_mailto is not None:
            token = self.tokens.dumps([copy.subscription_id])
        data = template.personalise(copy, token, self.key)
        if self.signer is not None:
            data = self.signer.sign(data)
        return envelope_sender(template.domain, copy.id, self.key), data


def deliver_batch(copies: list[Copy], worker: str, maker: CopyMaker,
                  stop: threading.Event | None = None, rate: RateLimit | None = None) -> int:
    """Send claimed copies, committing every WORKER_RESULT_GROUP results; return how many
    were handled. Copies left when stopped, paused or cancelled are given back unsent."""
    cfg = current_app.config
    maker.load({c.mailing_id for c in copies})
    db.session.commit()  # hold no transaction open while talking SMTP
    pending, handled = list(copies), 0
    lease_started = time.monotonic()
    try:
        with open_transport() as transport:
            while pending and not (stop is not None and stop.is_set()):
                group = pending[: cfg["WORKER_RESULT_GROUP"]]
                outcomes = _send_group(transport, group, maker, rate)
                pending = pending[len(outcomes):]
                begin_write()
                record_outcomes(outcomes)
                handled += len(outcomes)
                pending = _drop_halted(pending, worker)
                if time.monotonic() - lease_started > cfg["WORKER_LEASE_SECONDS"] / 2:
                    renew_lease([c.id for c in pending], worker, cfg["WORKER_LEASE_SECONDS"])
                    lease_started = time.monotonic()
                db.session.commit()
    except (OSError, smtplib.SMTPException) as exc:
        # The server went away for good: what is left waits for the next attempt.
        log.warning("SMTP session failed after %d copies: %s", handled, exc)
        db.session.rollback()
        begin_write()
        defer([c.id for c in pending], worker)
    if pending and not db.session().in_transaction():
        begin_write()
    release([c.id for c in pending], worker)
    db.session.commit()
    return handled


def _send_group(transport, group: list[Copy], maker: CopyMaker,
                rate: RateLimit | None) -> list[Outcome]:
    """Send a group; a dropped connection fails only the copy in flight (retried later),
    and the rest go over a new connection. Returns fewer outcomes than copies only if the
    server cannot be reached again."""
    outcomes = []
    for copy in group:
        try:
            sender, data = maker.make(copy)
        except UnsendableCopy as exc:
            code, _, reply = str(exc).partition(" ")
            outcomes.append(Outcome(copy, SendResult(int(code), reply, local=True)))
            continue
        if rate is not None:
            rate.wait()
        try:
            result = transport.send(sender, copy.recipient, data)
        except (OSError, smtplib.SMTPException) as exc:
            outcomes.append(Outcome(copy, SendResult(421, f"4.4.2 connection lost: {exc}")))
            try:
                transport.reopen()
            except (OSError, smtplib.SMTPException):
                begin_write()
                record_outcomes(outcomes)
                db.session.commit()
                raise
            continue
        outcomes.append(Outcome(copy, result))
    return outcomes


def _drop_halted(pending: list[Copy], worker: str) -> list[Copy]:
    """Give back copies of mailings paused or cancelled while this batch was out."""
    if not pending:
        return pending
    halted = halted_mailings({c.mailing_id for c in pending})
    if not halted:
        return pending
    release([c.id for c in pending if c.mailing_id in halted], worker)
    return [c for c in pending if c.mailing_id not in halted]
