"""One received message, handled once per recipient, each in its own database transaction.

Whatever happens, the message is kept: acted on (HANDLED), kept for a committee member
(HELD, UNROUTED), or, when handling raised, rolled back and kept as FAILED with the error.
Only when even that cannot be stored (the database is down) does the sender get a 4xx, so
its mail server tries again later. Callers hold an app context.
"""

import logging

import sqlalchemy as sa
from flask import current_app

from listserve.core.addresses import InvalidAddress, normalise_address
from listserve.core.events import emit
from listserve.core.lists import MailingList
from listserve.extensions import db
from listserve.inbound.bounce_reports import handle_bounce
from listserve.inbound.commands import HANDLERS
from listserve.inbound.message import Incoming, read_message
from listserve.inbound.models import InboundKind, InboundMessage, InboundStatus
from listserve.inbound.posting import handle_post
from listserve.inbound.recipients import Destination, classify_recipient, known_lists
from listserve.inbound.replies import keep_reply

log = logging.getLogger(__name__)

OK = "250 2.0.0 OK"
TRY_LATER = "451 4.3.0 Cannot store the message now; please try again later"


def accepts_recipient(address: str) -> bool:
    """True when mail to `address` is ours to handle (asked at RCPT time)."""
    found = classify_recipient(address, known_lists())
    db.session.commit()  # known_lists() may have created the default list
    return found is not None


def receive_message(raw: bytes, envelope_from: str, recipients: list[str], peer: str | None):
    """Handle the message for each recipient; return one SMTP reply per recipient."""
    return [_receive_for(raw, envelope_from, recipient, peer) for recipient in recipients]


def _receive_for(raw: bytes, envelope_from: str, recipient: str, peer: str | None) -> str:
    try:
        handle_for_recipient(raw, envelope_from, recipient, peer)
        db.session.commit()
        return OK
    except sa.exc.OperationalError:
        db.session.rollback()
        log.exception("database unavailable while receiving mail for %s", recipient)
        return TRY_LATER
    except Exception as exc:  # kept below for a committee member, never dropped
        db.session.rollback()
        log.exception("inbound mail for %s could not be handled", recipient)
        return _keep_failed(raw, envelope_from, recipient, peer, exc)


def _keep_failed(raw, envelope_from, recipient, peer, exc: Exception) -> str:
    try:
        record = new_record(raw, envelope_from, recipient, peer, Incoming(envelope_from))
        record.kind = InboundKind.UNKNOWN
        finish_record(record, raw, InboundStatus.FAILED, f"{type(exc).__name__}: {exc}")
        db.session.add(record)
        db.session.commit()
        return OK
    except Exception:
        db.session.rollback()
        log.exception("could not keep a failed inbound message for %s", recipient)
        return TRY_LATER


def handle_for_recipient(
    raw: bytes, envelope_from: str, recipient: str, peer: str | None
) -> InboundMessage:
    """Act on the message for one recipient and record it (flushes, never commits)."""
    lists = known_lists()
    destination = classify_recipient(recipient, lists)
    incoming = read_message(raw, envelope_from, {ml.domain.lower() for ml in lists})
    record = new_record(raw, envelope_from, recipient, peer, incoming)
    db.session.add(record)
    if destination is None:
        record.kind = InboundKind.UNKNOWN
        finish_record(record, raw, InboundStatus.HELD, "no list answers for this address")
        return record
    mailing_list = db.session.get(MailingList, destination.list_id)
    record.list_id = mailing_list.id
    record.kind = _kind(destination, incoming)
    status, reason = _dispatch(destination, incoming, mailing_list, record, raw, peer)
    finish_record(record, raw, status, reason)
    db.session.flush()
    return record


def _kind(destination: Destination, incoming: Incoming) -> InboundKind:
    if destination.kind == InboundKind.HELP and incoming.command:
        return InboundKind(incoming.command)  # <list>-request carrying join or leave
    return destination.kind


def _dispatch(destination, incoming, mailing_list, record, raw, peer):
    if destination.kind == InboundKind.REPLY:
        return keep_reply(incoming, mailing_list, record, destination.argument, raw)
    if destination.kind == InboundKind.POST:
        return handle_post(incoming, raw, mailing_list, record)
    if destination.kind == InboundKind.BOUNCE:
        return handle_bounce(raw, int(destination.argument), incoming.is_bounce)
    return HANDLERS[destination.kind](incoming, destination, mailing_list, peer)


def new_record(raw, envelope_from, recipient, peer, incoming: Incoming) -> InboundMessage:
    return InboundMessage(
        peer=storable(peer or "", 45) or None,
        envelope_from=storable(envelope_from, 320),
        recipient=storable(recipient, 320),
        sender=storable(_sender_key(incoming.sender), 320),
        subject=storable(incoming.subject, 300),
        message_id=storable(incoming.message_id, 250),
        size=len(raw),
        kind=InboundKind.UNKNOWN,
        status=InboundStatus.HELD,
    )


def finish_record(record: InboundMessage, raw: bytes, status: InboundStatus, reason: str):
    record.status = status
    record.reason = storable(reason, 500)
    if status != InboundStatus.HANDLED:
        keep = current_app.config["INBOUND_KEEP_BYTES"]
        record.raw = raw[:keep]
        record.raw_truncated = len(raw) > keep
    if status == InboundStatus.HELD:
        db.session.flush()
        emit("post.held", {"inbound_id": record.id, "recipient": record.recipient,
                           "subject": record.subject, "reason": record.reason})


def _sender_key(address: str) -> str:
    """The From address as compared (normalised, lower-cased), or as written when invalid."""
    try:
        return normalise_address(address)[1]
    except InvalidAddress:
        return address.lower()


def storable(text: str, limit: int) -> str:
    """Text any database column takes: valid UTF-8 (no lone surrogates), no NUL, cut."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\0", "")[:limit]
