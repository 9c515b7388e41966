"""Replies to announcements, sent to the list's own address (or a <list>+KEY address).

They are meant to become held comments on the post the announcement belongs to. Until the
archive provides that, a reply is kept as an InboundMessage with status UNROUTED, its raw
copy stored and `mailing_id` set to the announcement mailing it answers (found from
In-Reply-To / References and the Message-IDs of the copies we sent). The comment creation
plugs in at keep_reply(): turn the message into a held comment there and return HANDLED.
"""

import sqlalchemy as sa

from listserve.delivery.models import OutboxEntry
from listserve.extensions import db
from listserve.inbound.message import Incoming
from listserve.inbound.models import InboundMessage, InboundStatus
from listserve.subscriptions.models import MailingList

Outcome = tuple[InboundStatus, str]
UNROUTED_REASON = "reply kept: replies by email do not yet become comments"


def keep_reply(
    incoming: Incoming, mailing_list: MailingList, record: InboundMessage, reply_key: str,
    raw: bytes,
) -> Outcome:
    """Keep a person's reply for the archive; auto-replies to list mail are not replies.

    `raw` is the whole message (its body becomes the comment), `reply_key` the KEY of a
    <list>+KEY address ("" for the list address itself).
    """
    if incoming.no_reply_reason:
        return InboundStatus.HANDLED, f"not a reply from a person: {incoming.no_reply_reason}"
    record.mailing_id = mailing_answered(incoming.references)
    return InboundStatus.UNROUTED, UNROUTED_REASON


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
    # In-Reply-To comes first, then References from the newest back.
    ordered = wanted[:1] + list(reversed(wanted[1:]))
    return next((found[ref] for ref in ordered if ref in found), None)
