"""Posts to a discussion list's address: who may post, what is held, and the copies.

The list's settings decide (core.lists): a member posts freely unless their first
`moderate_first_posts` posts are held; a non-member's post is held, rejected (the sender is
told why) or discarded (`nonmember_policy`); a banned, suppressed or erased address never
reaches the list; a post over `max_message_kb`, or with attachments under the "hold" policy,
waits for a moderator. Mail that already went through this list (its List-Id, our X-Loop) or
that an auto-responder sent (RFC 3834 Auto-Submitted, Precedence bulk/list/junk) is kept in
the inbound log and never redistributed.
"""

import email
from email import policy

import sqlalchemy as sa
from flask_babel import gettext as _

from listserve.archive.message_text import read_post
from listserve.archive.models import ListPoster, PosterStanding
from listserve.archive.threads import post_with_message_id
from listserve.core.addresses import InvalidAddress, address_hash, normalise_address
from listserve.core.lists import AttachmentPolicy, MailingList, NonMemberPolicy
from listserve.extensions import db
from listserve.inbound.distribute import distribute_post
from listserve.inbound.message import Incoming, clean_header
from listserve.inbound.models import InboundMessage, InboundStatus
from listserve.inbound.moderation import notify_moderators, tell_sender
from listserve.inbound.posters import count_post, standing_of
from listserve.subscriptions.models import (
    Subscriber,
    Subscription,
    SubscriptionStatus,
    Suppression,
)

Outcome = tuple[InboundStatus, str]


def loop_reason(raw: bytes, mailing_list: MailingList) -> str | None:
    """Why this message must not go to the list again (a loop, an auto-responder), or None."""
    msg = email.message_from_bytes(raw, policy=policy.compat32)
    list_ids = " ".join(clean_header(v) for v in msg.get_all("List-Id", [])).lower()
    if f"<{mailing_list.list_id.lower()}>" in list_ids:
        return "a copy of this list's own mail (List-Id)"
    loops = [clean_header(v).strip().lower() for v in msg.get_all("X-Loop", [])]
    if mailing_list.address.lower() in loops:
        return "a copy of this list's own mail (X-Loop)"
    auto = clean_header(msg.get("Auto-Submitted", "")).strip().lower()
    if auto and not auto.startswith("no"):
        return f"sent by a program (Auto-Submitted: {auto[:40]})"
    precedence = clean_header(msg.get("Precedence", "")).strip().lower()
    if precedence in ("bulk", "list", "junk"):
        return f"bulk mail (Precedence: {precedence})"
    return None


def handle_post(incoming: Incoming, raw: bytes, mailing_list: MailingList,
                record: InboundMessage) -> Outcome:
    """Post, hold, reject or drop one message sent to a discussion list's address."""
    reason = loop_reason(raw, mailing_list)
    if reason:
        return InboundStatus.HANDLED, f"not redistributed: {reason}"
    try:
        address, key = normalise_address(incoming.sender)
    except InvalidAddress:
        return InboundStatus.HANDLED, "dropped: no readable From address"
    if db.session.scalar(sa.select(Suppression.id).filter_by(address_sha256=address_hash(key))):
        return InboundStatus.HANDLED, "dropped: the sender's address was erased or suppressed"
    poster = standing_of(mailing_list.id, key)
    if poster is not None and poster.standing == PosterStanding.BANNED:
        return InboundStatus.HANDLED, "dropped: the sender is banned from this list"
    if incoming.message_id and _already_posted(mailing_list, incoming.message_id):
        return InboundStatus.HANDLED, "a copy of a post already received (same Message-ID)"
    if len(raw) > mailing_list.max_message_kb * 1024:
        tell_sender(record, mailing_list, address,
                    _("Your message is larger than this list takes (%(size)s kB).",
                      size=mailing_list.max_message_kb))
        return InboundStatus.HANDLED, f"rejected: over {mailing_list.max_message_kb} kB"
    hold = _hold_reason(mailing_list, key, poster, raw)
    if hold == "reject":
        tell_sender(record, mailing_list, address,
                    _("Only subscribers of %(list)s can post to %(address)s.",
                      list=mailing_list.name, address=mailing_list.address))
        return InboundStatus.HANDLED, "rejected: the sender is not a member"
    if hold == "discard":
        return InboundStatus.HANDLED, "discarded: the sender is not a member"
    if hold:
        db.session.flush()
        notify_moderators(record, mailing_list, hold)
        return InboundStatus.HELD, f"held for moderation: {hold}"
    post = distribute_post(raw, mailing_list)
    count_post(mailing_list.id, key)
    return InboundStatus.HANDLED, f"posted: post {post.id}, sent to the list"


def _hold_reason(mailing_list: MailingList, key: str, poster: ListPoster | None,
                 raw: bytes) -> str | None:
    """Why the post waits for a moderator; "reject"/"discard" for a non-member's; None: post."""
    free = poster is not None and poster.standing == PosterStanding.FREE
    if not free:
        if not is_member(mailing_list.id, key):
            policy_ = mailing_list.nonmember_policy
            if policy_ in (NonMemberPolicy.REJECT, NonMemberPolicy.DISCARD):
                return str(policy_)
            return _("the sender is not a member of the list")
        posted = poster.accepted_posts if poster is not None else 0
        if posted < mailing_list.moderate_first_posts:
            return _("a member's first posts are moderated (%(posted)s accepted so far)",
                     posted=posted)
    if (mailing_list.attachment_policy == AttachmentPolicy.HOLD
            and read_post(raw).attachments):
        return _("the post has attachments")
    return None


def is_member(list_id: int, key: str) -> bool:
    return db.session.scalar(
        sa.select(Subscription.id).join(Subscriber)
        .where(Subscription.list_id == list_id, Subscriber.email_key == key,
               Subscription.status == SubscriptionStatus.CONFIRMED).limit(1)
    ) is not None


def _already_posted(mailing_list: MailingList, message_id: str) -> bool:
    return post_with_message_id(mailing_list.id, message_id[:250]) is not None
