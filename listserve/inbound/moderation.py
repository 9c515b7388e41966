"""Held posts of discussion lists: the moderators' notice, their decisions, and expiry.

A held post is an InboundMessage (kind post, status held) with its raw bytes kept. Each
decision turns it HANDLED with the decision as its reason, so a moderator's emailed link
works once: the token names the held row, and a row no longer held answers "already decided".
"""

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from listserve.archive.models import PosterStanding
from listserve.committee.models import CommitteeMember
from listserve.core.addresses import InvalidAddress, normalise_address
from listserve.core.db import utcnow
from listserve.core.lists import MailingList
from listserve.core.tokens import TokenError, make_timed_token, read_timed_token
from listserve.core.urls import external_url
from listserve.delivery.outbox import enqueue_notice
from listserve.extensions import db
from listserve.inbound.distribute import distribute_post
from listserve.inbound.models import InboundKind, InboundMessage, InboundStatus
from listserve.inbound.posters import count_post, set_standing

TOKEN_PURPOSE = "moderate-post"  # noqa: S105  (a token salt, not a password)
TOKEN_MAX_AGE = 60 * 60 * 24 * 60  # the list's expiry ends a held post well before this
ACTIONS = ("approve", "approve_free", "discard", "reject", "ban")


class NotHeld(TokenError):
    """The post was decided already (or never held): the link has done its work."""


def held_posts(list_id: int | None = None) -> list[InboundMessage]:
    query = sa.select(InboundMessage).where(InboundMessage.kind == InboundKind.POST,
                                            InboundMessage.status == InboundStatus.HELD)
    if list_id is not None:
        query = query.where(InboundMessage.list_id == list_id)
    return list(db.session.scalars(query.order_by(InboundMessage.received_at)))


def get_held(record_id: int) -> InboundMessage:
    # Beyond a database integer there is no such row (and PostgreSQL would refuse the query).
    record = db.session.get(InboundMessage, record_id) if 0 < record_id < 2**31 else None
    if record is None or record.kind != InboundKind.POST or record.status != InboundStatus.HELD:
        raise NotHeld(_("This post is no longer waiting: someone decided already."))
    return record


def moderation_token(record: InboundMessage, action: str) -> str:
    return make_timed_token(TOKEN_PURPOSE, [record.id, action])


def read_moderation_token(token: str) -> tuple[int, str]:
    """(held row id, action); raises core.tokens' TokenError / TokenExpired."""
    record_id, action = read_timed_token(TOKEN_PURPOSE, token, TOKEN_MAX_AGE)
    return int(record_id), str(action)


def notify_moderators(record: InboundMessage, mailing_list: MailingList, reason: str) -> None:
    """A notice to every enabled committee member, with approve and discard links."""
    members = db.session.scalars(sa.select(CommitteeMember).filter_by(enabled=True)).all()
    links = {action: external_url("inbound.moderate_link", token=moderation_token(record, action))
             for action in ("approve", "discard")}
    for member in members:
        enqueue_notice(
            purpose=f"post.held:{record.id}", template="inbound/held_post",
            subject=_("Held for %(list)s: %(subject)s", list=mailing_list.name,
                      subject=record.subject[:150]),
            mailing_list=mailing_list, recipient=member.email, recipient_name=member.name,
            record=record, reason=reason, links=links, mailing_list_name=mailing_list.name,
            queue_url=external_url("inbound.held_queue"),
        )


def tell_sender(record: InboundMessage, mailing_list: MailingList, address: str,
                why: str) -> None:
    """Tell the sender their post did not reach the list, and why (an auto-reply)."""
    enqueue_notice(
        purpose="reply.post.refused", template="inbound/post_refused",
        subject=_("Not posted to %(list)s: %(subject)s", list=mailing_list.name,
                  subject=record.subject[:150]),
        mailing_list=mailing_list, recipient=address, why=why, subject_line=record.subject,
        mailing_list_name=mailing_list.name,
    )


def _finish(record: InboundMessage, reason: str) -> None:
    record.status = InboundStatus.HANDLED
    record.reason = reason[:500]
    record.raw = None
    db.session.flush()


def _sender_key(record: InboundMessage) -> str:
    try:
        return normalise_address(record.sender)[1]
    except InvalidAddress:
        return record.sender.lower()


def approve_post(record: InboundMessage, by: str, let_post_freely: bool = False):
    """Send the held post to the list (and, asked, let its sender post without moderation)."""
    mailing_list = db.session.get(MailingList, record.list_id)
    post = distribute_post(record.raw, mailing_list)
    key = _sender_key(record)
    if let_post_freely:
        set_standing(mailing_list.id, key, PosterStanding.FREE)
    count_post(mailing_list.id, key)
    _finish(record, f"approved by {by}: post {post.id}")
    return post


def discard_post(record: InboundMessage, by: str) -> None:
    _finish(record, f"discarded by {by}")


def reject_post(record: InboundMessage, by: str, reason: str) -> None:
    mailing_list = db.session.get(MailingList, record.list_id)
    tell_sender(record, mailing_list, record.sender,
                _("A moderator of %(list)s did not accept it: %(reason)s", list=mailing_list.name,
                  reason=reason.strip() or _("no reason given")))
    _finish(record, f"rejected by {by}: {reason.strip()[:200]}")


def ban_sender(record: InboundMessage, by: str) -> None:
    set_standing(record.list_id, _sender_key(record), PosterStanding.BANNED)
    _finish(record, f"discarded, sender banned by {by}")


def act_on(record: InboundMessage, action: str, by: str, reason: str = ""):
    if action == "approve":
        return approve_post(record, by)
    if action == "approve_free":
        return approve_post(record, by, let_post_freely=True)
    if action == "discard":
        return discard_post(record, by)
    if action == "reject":
        return reject_post(record, by, reason)
    if action == "ban":
        return ban_sender(record, by)
    raise ValueError(f"no such action: {action}")


def expire_held_posts(now=None) -> int:
    """A worker round job: held posts older than their list's held_expiry_days are dropped
    and their senders told. Commits (a job)."""
    now = now or utcnow()
    expired = 0
    for record in held_posts():
        mailing_list = db.session.get(MailingList, record.list_id)
        if mailing_list is None:
            continue
        if record.received_at <= now - timedelta(days=mailing_list.held_expiry_days):
            tell_sender(record, mailing_list, record.sender,
                        ngettext("No moderator of %(list)s approved it within %(num)d day.",
                                 "No moderator of %(list)s approved it within %(num)d days.",
                                 mailing_list.held_expiry_days, list=mailing_list.name))
            _finish(record, f"expired after {mailing_list.held_expiry_days} days")
            expired += 1
    db.session.commit()
    return expired
