"""Sending one claimed batch over one SMTP connection, committing results group by group."""

import logging
import smtplib
import threading
import time

import sqlalchemy as sa
from flask import current_app

from listserve.core.lists import MailingList
from listserve.core.tokens import LastingTokenMaker
from listserve.core.urls import external_url
from listserve.delivery.bookkeeper import Bookkeeper
from listserve.delivery.compose import (
    Copy,
    CopyTemplate,
    UnsendableCopy,
    envelope_sender,
    render_copy_template,
)
from listserve.delivery.hooks import Confirmation, current_hooks
from listserve.delivery.leases import begin_write, halted_mailings, release
from listserve.delivery.models import Mailing
from listserve.delivery.results import Outcome, defer
from listserve.delivery.signing import configured_signer
from listserve.delivery.transport import SendResult, open_transport
from listserve.delivery.verp import opaque_id, verp_key
from listserve.extensions import db

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


_STAMPS = sa.select(Mailing.id, Mailing.created_at).where(
    Mailing.id.in_(sa.bindparam("ids", expanding=True))
)


class CopyMaker:
    """Everything a worker thread needs to turn claimed rows into bytes, made once.

    Rendered mailings are kept between batches (a big send is claimed batch after batch):
    at most KEEP of them, or as many as the current batch uses. Only mailings the batch
    does not use are forgotten, before it is loaded: a batch never loses a template it
    needs, however many mailings it spans (every confirmation or notice is a mailing of
    its own)."""

    KEEP = 64

    def __init__(self):
        self.templates: dict[int, CopyTemplate] = {}
        self.broken: dict[int, SendResult] = {}  # mailing id -> why it cannot be composed
        self.stamps: dict[int, object] = {}  # mailing id -> created_at of what is cached
        self.confirm_links: dict[int, Confirmation] = {}  # subscription id -> link, reply-to
        self.tokens = LastingTokenMaker("unsubscribe")
        self.key = verp_key()
        self.signer = configured_signer()

    def load(self, mailing_ids: set[int]) -> None:
        """Render the batch's mailings not rendered yet, first making room among the
        mailings the batch does not use."""
        # A cached rendering is valid only for the same mailing: ids can come back (SQLite
        # reuses the highest id once its row is deleted), creation times do not.
        stamps = dict(db.session.execute(_STAMPS, {"ids": list(mailing_ids)}).all())
        for mailing_id in mailing_ids:
            if self.stamps.get(mailing_id, stamps.get(mailing_id)) != stamps.get(mailing_id):
                self._forget(mailing_id)
        missing = mailing_ids - self.templates.keys() - self.broken.keys()
        self._make_room(mailing_ids, len(missing))
        if not missing:
            return
        lists = {ml.id: ml for ml in db.session.scalars(sa.select(MailingList))}
        for mailing in db.session.scalars(sa.select(Mailing).where(Mailing.id.in_(missing))):
            self.stamps[mailing.id] = mailing.created_at
            try:
                self.templates[mailing.id] = render_copy_template(mailing, lists[mailing.list_id])
            except (ValueError, LookupError) as exc:  # checked when queued; never loop on it
                log.error("mailing %s cannot be composed: %s", mailing.id, exc)
                self.broken[mailing.id] = SendResult(554, f"5.6.0 cannot compose: {exc}",
                                                     local=True)
            except Exception as exc:  # a fault of ours: retried later, counted, then failed
                log.exception("mailing %s could not be rendered", mailing.id)
                self.broken[mailing.id] = SendResult(451, f"4.3.0 cannot compose now: {exc}",
                                                     local=True)

    def _make_room(self, needed: set[int], coming: int) -> None:
        """Forget the oldest kept mailings the current batch does not use, so that at most
        max(KEEP, the batch's own) are kept once `coming` more are rendered."""
        excess = len(self.templates) + len(self.broken) + coming - max(self.KEEP, len(needed))
        if excess <= 0:
            return
        for mailing_id in [m for m in (*self.broken, *self.templates) if m not in needed]:
            if excess <= 0:
                break
            self._forget(mailing_id)
            excess -= 1

    def _forget(self, mailing_id: int) -> None:
        self.templates.pop(mailing_id, None)
        self.broken.pop(mailing_id, None)
        self.stamps.pop(mailing_id, None)

    def load_confirm_links(self, copies: list[Copy]) -> None:
        """Bulk-queued confirmation requests (an admin import) carry each copy's own link,
        made from the subscription's current nonce so it stays single-use. Read here, once
        per batch, before the transaction ends: nothing may touch the database while the
        connection talks SMTP (on SQLite a read held open there blocks the bookkeeper)."""
        ids = [
            c.subscription_id for c in copies
            if c.subscription_id is not None
            and c.mailing_id in self.templates and self.templates[c.mailing_id].confirm_link
        ]
        self.confirm_links = current_hooks().confirm_links(ids) if ids else {}

    def make(self, copy: Copy) -> tuple[Copy, str, bytes]:
        """(the copy with its Message-ID, envelope sender, message bytes with SMTP's leading
        dots doubled); raises UnsendableCopy."""
        template = self.templates.get(copy.mailing_id)
        if template is None:
            result = self.broken.get(copy.mailing_id) or SendResult(
                451, "4.3.0 its mailing was not loaded", local=True)  # gone since the claim
            raise UnsendableCopy(f"{result.code} {result.reply}")
        token = None
        if copy.subscription_id is not None and template.leave_mailto is not None:
            token = self.tokens([copy.subscription_id])
        link = reply_to = None
        if template.confirm_link:
            confirmation = self.confirm_links.get(copy.subscription_id)
            if confirmation is None:  # confirmed or gone since: the page to ask again
                link = external_url("subscriptions.subscribe")
            else:
                link, reply_to = confirmation
        opaque = opaque_id(copy.id, self.key)  # in the Message-ID and the VERP sender
        if copy.message_id is None:  # queued without one: recorded with the outcome
            copy = copy._replace(message_id=template.message_id(opaque))
        if self.signer is None:
            data = template.personalise(copy, token, self.key, stuffed=True, link=link,
                                        opaque=opaque, reply_to=reply_to)
        else:  # sign what the recipient will read, stuffed for the wire
            data = self.signer.sign(
                template.personalise(copy, token, self.key, link=link, opaque=opaque,
                                     reply_to=reply_to), template, stuffed=True,
            )
        return copy, envelope_sender(template.domain, copy.id, opaque=opaque), data


def deliver_batch(copies: list[Copy], worker: str, maker: CopyMaker, keeper: Bookkeeper,
                  stop: threading.Event | None = None, rate: RateLimit | None = None) -> int:
    """Send claimed copies, handing results to the bookkeeper every WORKER_RESULT_GROUP;
    return how many were handled. Copies left when stopped, paused or cancelled are given
    back unsent."""
    group_size = current_app.config["WORKER_RESULT_GROUP"]
    maker.load({c.mailing_id for c in copies})
    maker.load_confirm_links(copies)
    db.session.commit()  # hold no transaction open while talking SMTP
    keeper.start_batch()
    pending, handled = list(copies), 0
    try:
        with open_transport() as transport:
            while pending and not (stop is not None and stop.is_set()):
                halted = _halted_since_last_group(pending, handled)
                pending = [c for c in pending if c.mailing_id not in halted]
                outcomes = _send_group(transport, pending[:group_size], maker, rate, keeper)
                pending = pending[len(outcomes):]
                keeper.submit(outcomes, [c.id for c in pending])
                handled += len(outcomes)
    except (OSError, smtplib.SMTPException) as exc:
        # The server went away for good: what is left waits for the next attempt.
        log.warning("SMTP session failed after %d copies: %s", handled, exc)
        keeper.wait()
        begin_write()
        defer([c.id for c in pending], worker)
        db.session.commit()
    keeper.wait()
    if pending:
        begin_write()
        release([c.id for c in pending], worker)
        db.session.commit()
    return handled


def _halted_since_last_group(pending: list[Copy], handled: int) -> set[int]:
    """Paused or cancelled mailings, read by the sender itself before each group after the
    first (the claim read them before the first): a pause takes effect at the next group."""
    if not handled:
        return set()
    halted = halted_mailings({c.mailing_id for c in pending})
    db.session.commit()  # end the read: no transaction stays open while talking SMTP
    return halted


def _send_group(transport, group: list[Copy], maker: CopyMaker, rate: RateLimit | None,
                keeper: Bookkeeper) -> list[Outcome]:
    """Send a group; a dropped connection fails only the copy in flight (retried later),
    and the rest go over a new connection. If the server cannot be reached again, what was
    sent is handed to the bookkeeper and the error raised.

    The group's copies are all made first, then all sent: composing (and signing) one copy
    after another keeps that code and OpenSSL's warm in the CPU's caches, which interleaving
    each with a send and its socket calls did not (in-process, a signed copy's CPU fell by
    about an eighth, an unsigned one's too). Each copy's envelope goes out with the content
    of the one ahead of it (one round trip per copy). Under a rate cap, which gains nothing
    from either, each copy is made just before it is sent, so its Date is when it left."""
    outcomes = []
    announce = rate is None or not rate.interval
    made = [_made(maker, copy) for copy in group] if announce else None
    for position, copy in enumerate(group):
        item = made[position] if made else _made(maker, copy)
        upcoming = made[position + 1] if made and position + 1 < len(made) else None
        if isinstance(item, Outcome):
            outcomes.append(item)
            continue
        copy, sender, data = item
        then = None
        if announce and upcoming is not None and not isinstance(upcoming, Outcome):
            then = (upcoming[1], upcoming[0].recipient)
        if rate is not None:
            rate.wait()
        try:
            result = transport.send(sender, copy.recipient, data, stuffed=True, then=then)
        except (OSError, smtplib.SMTPException) as exc:
            outcomes.append(Outcome(copy, SendResult(421, f"4.4.2 connection lost: {exc}")))
            try:
                transport.reopen()
            except (OSError, smtplib.SMTPException):
                keeper.submit(outcomes, [])
                raise
            continue
        outcomes.append(Outcome(copy, result))
    return outcomes


def _made(maker: CopyMaker, copy: Copy) -> tuple[Copy, str, bytes] | Outcome:
    """(copy, envelope sender, bytes), or the outcome of a copy that cannot be composed:
    recorded like a refusal (an attempt counted; failed when permanent or out of attempts),
    so one bad copy never holds back its batch, nor the batch its worker."""
    try:
        return maker.make(copy)
    except UnsendableCopy as exc:
        code, _, reply = str(exc).partition(" ")
        return Outcome(copy, SendResult(int(code), reply, local=True))
    except Exception as exc:  # a fault of ours with this one copy: the others still go
        log.exception("copy %s could not be composed", copy.id)
        return Outcome(copy, SendResult(451, f"4.3.0 cannot compose now: {exc}", local=True))
