"""Replies to announcements, sent to the list's own address (or a <list>+KEY address).

A reply whose In-Reply-To / References name a copy we sent of an archived announcement
becomes a comment on that post, waiting for its sender to confirm it
(listserve.archive.emailed). Anything else a person sends here (a reply to a notice, to
nothing we know, one with no words of its own, one the comment rules refuse) is kept as an
InboundMessage with status UNROUTED, its raw copy stored and the reason given, for a
committee member to read with `listserve inbound held`.
"""

import sqlalchemy as sa

from listserve.archive.comments import CommentRefused
from listserve.archive.emailed import EmptyReply, comment_from_reply, post_for_mailing
from listserve.core.addresses import InvalidAddress
from listserve.core.headers import UnsafeHeaderValue
from listserve.core.lists import MailingList
from listserve.delivery.models import OutboxEntry
from listserve.delivery.verp import parse_copy_message_id
from listserve.extensions import db
from listserve.inbound.message import Incoming
from listserve.inbound.models import InboundKind, InboundMessage, InboundStatus

Outcome = tuple[InboundStatus, str]


def keep_reply(
    incoming: Incoming, mailing_list: MailingList, record: InboundMessage, reply_key: str,
    raw: bytes,
) -> Outcome:
    """Make a person's reply a held comment on the post it answers, or keep it unrouted;
    auto-replies to list mail are not replies.

    `raw` is the whole message (its body becomes the comment), `reply_key` the KEY of a
    <list>+KEY address ("" for the list address itself; not used to find a post).
    """
    if incoming.no_reply_reason:
        return InboundStatus.HANDLED, f"not a reply from a person: {incoming.no_reply_reason}"
    record.mailing_id = mailing_answered(incoming.references)
    post = post_for_mailing(record.mailing_id)
    if post is None:
        return InboundStatus.UNROUTED, "reply kept: it answers no announcement in the archive"
    if _already_taken(incoming, record):
        return InboundStatus.HANDLED, "a copy of a reply already received (same Message-ID)"
    try:
        comment = comment_from_reply(post, incoming.sender, incoming.sender_name, raw)
    except (EmptyReply, InvalidAddress, UnsafeHeaderValue, CommentRefused) as exc:
        return InboundStatus.UNROUTED, f"reply kept, no comment: {exc}"
    return InboundStatus.HANDLED, (
        f"comment {comment.id} on /archive/{post.year}/{post.slug}, waiting for its sender "
        "to confirm"
    )


def _already_taken(incoming: Incoming, record: InboundMessage) -> bool:
    """The same message made a comment before: a mail server delivering it again."""
    if not incoming.message_id:
        return False
    db.session.flush()
    return db.session.scalar(
        sa.select(InboundMessage.id).where(
            InboundMessage.kind == InboundKind.REPLY,
            InboundMessage.status == InboundStatus.HANDLED,
            InboundMessage.message_id == record.message_id,
            InboundMessage.sender == record.sender,
            InboundMessage.id != record.id,
        ).limit(1)
    ) is not None


def mailing_answered(references: list[str]) -> int | None:
    """The mailing whose copy one of the referenced Message-IDs is (the nearest first)."""
    if not references:
        return None
    wanted = [f"<{ref}>" for ref in references]
    found = dict(
        db.session.execute(
            sa.select(OutboxEntry.message_id, OutboxEntry.mailing_id).where(
                OutboxEntry.message_id.in_(wanted)
            )
        ).all()
    )
    found.update(_copies_not_yet_recorded([ref for ref in wanted if ref not in found]))
    # In-Reply-To comes first, then References from the newest back.
    ordered = wanted[:1] + list(reversed(wanted[1:]))
    return next((found[ref] for ref in ordered if ref in found), None)


def _copies_not_yet_recorded(refs: list[str]) -> dict[str, int]:
    """Message-IDs made by a worker for a copy whose result it has not stored yet (it stores
    the Message-ID with the result, a group at a time; a worker that died first leaves it
    unset until the copy goes again). The copy's id is in it, signed (verp.opaque_id)."""
    claimed = {}
    for ref in refs:
        named = parse_copy_message_id(ref)
        if named:
            claimed[named[0]] = (ref, named[1])
    if not claimed:
        return {}
    rows = db.session.execute(
        sa.select(OutboxEntry.id, OutboxEntry.mailing_id).where(
            OutboxEntry.id.in_(claimed), OutboxEntry.message_id.is_(None)
        )
    ).all()
    # The mailing must match too: an id handed out again belongs to another mailing.
    return {claimed[entry_id][0]: mailing_id for entry_id, mailing_id in rows
            if claimed[entry_id][1] == mailing_id}
