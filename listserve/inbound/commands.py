"""Commands by email: join, leave, help, and replies to confirmation mails.

Each handler returns (status, reason) for the InboundMessage row; the reason is for a
committee member's eyes only. Nothing answers mail that could be part of a loop.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from listserve.core.addresses import InvalidAddress, normalise_address
from listserve.core.db import utcnow
from listserve.core.headers import UnsafeHeaderValue
from listserve.core.i18n import offered_or_none
from listserve.core.lists import MailingList
from listserve.core.tokens import TokenError, TokenExpired
from listserve.delivery.outbox import enqueue_notice
from listserve.extensions import db
from listserve.inbound.message import Incoming
from listserve.inbound.models import InboundKind, InboundMessage, InboundStatus
from listserve.subscriptions import codes, confirming, leaving, services

Outcome = tuple[InboundStatus, str]
HELP_REASON = "help sent"


def handle_join(incoming: Incoming, mailing_list: MailingList, peer: str | None) -> Outcome:
    if incoming.no_reply_reason:
        return InboundStatus.HANDLED, f"join not answered: {incoming.no_reply_reason}"
    origin = services.Request(source="email", ip=peer, language=_language(incoming))
    try:
        services.request_subscription(
            incoming.sender, incoming.sender_name, origin, mailing_list
        )
    except (InvalidAddress, UnsafeHeaderValue) as exc:
        return InboundStatus.HELD, f"join refused: {exc}"
    return InboundStatus.HANDLED, "join requested (double opt-in)"


def _language(incoming: Incoming) -> str | None:
    """The first language the request mail names that the site offers, else None."""
    return next(filter(None, map(offered_or_none, incoming.languages)), None)


def handle_leave(incoming: Incoming, mailing_list: MailingList) -> Outcome:
    if incoming.no_reply_reason:
        return InboundStatus.HANDLED, f"leave not answered: {incoming.no_reply_reason}"
    try:
        subscription = leaving.request_leave(incoming.sender, mailing_list)
    except InvalidAddress as exc:
        return InboundStatus.HELD, f"leave refused: {exc}"
    if subscription is None:
        return InboundStatus.HANDLED, "leave requested by an address not on the list: no mail"
    return InboundStatus.HANDLED, "leave requested: confirmation mailed to the subscriber"


def handle_request(incoming: Incoming, mailing_list: MailingList, peer: str | None) -> Outcome:
    """<list>-request: the first command word in the subject or body; help when there is none."""
    command = incoming.command
    if command == "join":
        return handle_join(incoming, mailing_list, peer)
    if command == "leave":
        return handle_leave(incoming, mailing_list)
    return handle_help(incoming, mailing_list)


def handle_help(incoming: Incoming, mailing_list: MailingList) -> Outcome:
    if incoming.no_reply_reason:
        return InboundStatus.HANDLED, f"help not answered: {incoming.no_reply_reason}"
    try:
        address, key = normalise_address(incoming.sender)
    except InvalidAddress as exc:
        return InboundStatus.HELD, f"help refused: {exc}"
    if _help_sent_today(key) >= current_app.config["INBOUND_HELP_PER_DAY"]:
        return InboundStatus.HANDLED, "help not answered: enough help sent to this address today"
    enqueue_notice(
        purpose="reply.inbound.help",
        template="inbound/help",
        subject=_l("Help: %(list)s", list=mailing_list.name),
        language=_language(incoming),
        mailing_list=mailing_list,
        recipient=address,
        join_address=f"{mailing_list.slug}-join@{mailing_list.domain}",
        leave_address=f"{mailing_list.slug}-leave@{mailing_list.domain}",
        request_address=f"{mailing_list.slug}-request@{mailing_list.domain}",
    )
    return InboundStatus.HANDLED, HELP_REASON


def _help_sent_today(sender_key: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(InboundMessage.id)).where(
            InboundMessage.sender == sender_key,
            InboundMessage.reason == HELP_REASON,
            InboundMessage.received_at > utcnow() - timedelta(days=1),
        )
    )


def handle_confirm(incoming: Incoming, code: str) -> Outcome:
    """A reply to a confirmation mail: confirms a join or a leave, as the web button does."""
    if incoming.no_reply_reason:
        # An out-of-office or a bounce of the confirmation is nobody's consent.
        return InboundStatus.HANDLED, f"confirmation ignored: {incoming.no_reply_reason}"
    try:
        purpose = codes.parse_code(code)[0]
        if purpose == codes.JOIN:
            confirming.confirm_subscription_by_code(code)
            return InboundStatus.HANDLED, "subscription confirmed by reply"
        leaving.confirm_leave(code)
        return InboundStatus.HANDLED, "leave confirmed by reply"
    except TokenExpired:
        return InboundStatus.HANDLED, "confirmation code expired"
    except TokenError:
        return InboundStatus.HANDLED, "confirmation code already used or not valid"


HANDLERS = {
    InboundKind.JOIN: lambda incoming, dest, ml, peer: handle_join(incoming, ml, peer),
    InboundKind.LEAVE: lambda incoming, dest, ml, peer: handle_leave(incoming, ml),
    InboundKind.HELP: lambda incoming, dest, ml, peer: handle_request(incoming, ml, peer),
    InboundKind.CONFIRM: lambda incoming, dest, ml, peer: handle_confirm(incoming, dest.argument),
}
