"""Leaving: the one-click link every mail carries (RFC 8058), and leaving by email.

By email, a request mails a confirmation to the subscriber's own address, and only
confirming (a button behind the link, or a reply) removes them. A forged From therefore
removes nobody, and the sender learns nothing about who is on the list."""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from listserve.core.addresses import normalise_address
from listserve.core.db import utcnow
from listserve.core.events import emit
from listserve.core.lists import MailingList, get_default_list
from listserve.core.tokens import TokenError, read_lasting_token
from listserve.core.urls import external_url
from listserve.extensions import db
from listserve.subscriptions import codes
from listserve.subscriptions.confirming import subscription_event
from listserve.subscriptions.models import Subscriber, Subscription, SubscriptionStatus
from listserve.subscriptions.notices import notify
from listserve.subscriptions.services import UNSUBSCRIBE_PURPOSE

# Who can be asked to leave: people who get (or could get back) the list's mail.
ON_THE_LIST = (SubscriptionStatus.CONFIRMED, SubscriptionStatus.DISABLED)


def request_leave(email: str, mailing_list: MailingList | None = None) -> Subscription | None:
    """Mail a leave confirmation when the address is on the list; otherwise do nothing.

    Returns the subscription concerned (None when there is none), for the caller's records
    only: never show it to the sender. Raises InvalidAddress.
    """
    _address, key = normalise_address(email)
    mailing_list = mailing_list or get_default_list()
    subscription = db.session.scalar(
        sa.select(Subscription)
        .join(Subscriber)
        .where(Subscriber.email_key == key, Subscription.list_id == mailing_list.id)
    )
    if subscription is None or subscription.status not in ON_THE_LIST:
        return None
    now = utcnow()
    interval = timedelta(seconds=current_app.config["CONFIRM_RESEND_INTERVAL"])
    sent = subscription.leave_requested_at
    if subscription.leave_nonce and sent is not None and now - sent < interval:
        return subscription  # one confirmation per interval: no mail bombing through us
    subscription.leave_nonce = subscription.leave_nonce or secrets.token_hex(8)
    subscription.leave_requested_at = now
    code = codes.make_code(codes.LEAVE, subscription.id, subscription.leave_nonce)
    notify(
        subscription, "reply.subscription.leave", "subscriptions/leave_confirm",
        _l("Please confirm: leave %(list)s", list=mailing_list.name),
        reply_to=codes.confirm_address(mailing_list.slug, mailing_list.domain, code),
        leave_url=external_url("subscriptions.confirm_leave", code=code),
        max_age_days=current_app.config["CONFIRM_MAX_AGE"] // 86400,
    )
    return subscription


def subscription_for_leave(code: str) -> Subscription:
    """The subscription a leave code is for, changing nothing.

    Raises TokenExpired, or TokenError when the code is tampered, used, for another purpose,
    or older than the subscription's latest confirmation.
    """
    purpose, subscription_id, _nonce = codes.parse_code(code)
    subscription = db.session.get(Subscription, subscription_id)
    if purpose != codes.LEAVE or subscription is None or subscription.status not in ON_THE_LIST:
        raise TokenError("This link has already been used or is no longer valid.")
    issued = codes.check_code(code, subscription.leave_nonce)
    confirmed = subscription.confirmed_at
    if confirmed is not None and issued < confirmed.replace(microsecond=0):
        raise TokenError("This link is older than your latest subscription.")
    return subscription


def confirm_leave(code: str) -> Subscription:
    """Unsubscribe the person a leave code was mailed to (raises TokenError / TokenExpired)."""
    subscription = subscription_for_leave(code)
    subscription.leave_nonce = None
    unsubscribe(subscription)
    return subscription


def subscription_for_unsubscribe(token: str) -> Subscription | None:
    """The subscription an unsubscribe link names; None when it was erased since.

    Raises TokenError for a link we never made.
    """
    payload = read_lasting_token(UNSUBSCRIBE_PURPOSE, token)
    if not (isinstance(payload, list) and len(payload) == 1 and isinstance(payload[0], int)):
        raise TokenError("This link is not valid.")
    return db.session.get(Subscription, payload[0])


def unsubscribe(subscription: Subscription) -> bool:
    """Leave the list; idempotent. Return True when this call changed something."""
    if subscription.status == SubscriptionStatus.UNSUBSCRIBED:
        return False
    subscription.status = SubscriptionStatus.UNSUBSCRIBED
    subscription.unsubscribed_at = utcnow()
    subscription.confirm_nonce = None
    db.session.flush()
    emit("subscription.left", subscription_event(subscription))
    return True
