"""Confirming a subscription: the link in the confirmation mail (and a reply's code), the
group of lists one confirmation covers, and what confirming does (the welcome mail, the
event). Services flush, never commit."""

import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from listserve.core.addresses import address_hash
from listserve.core.db import utcnow
from listserve.core.events import emit
from listserve.core.tokens import TokenError, make_timed_token, read_timed_token
from listserve.core.urls import external_url
from listserve.extensions import db
from listserve.subscriptions import codes
from listserve.subscriptions.models import Subscription, SubscriptionStatus, Suppression
from listserve.subscriptions.notices import notify

CONFIRM_PURPOSE = "confirm-subscription"


class AlreadySubscribed(Exception):
    """A confirmation link pressed again: the subscription it made is still in place."""

    def __init__(self, subscription: Subscription):
        super().__init__("You are already subscribed.")
        self.subscription = subscription


def confirmation_group(subscription: Subscription) -> list[Subscription]:
    """The pending subscriptions one confirmation link confirms: this one first, then those
    of the same person asked for with it (they share its nonce)."""
    if subscription.status != SubscriptionStatus.PENDING or not subscription.confirm_nonce:
        return [subscription]
    others = db.session.scalars(sa.select(Subscription).where(
        Subscription.subscriber_id == subscription.subscriber_id,
        Subscription.id != subscription.id,
        Subscription.status == SubscriptionStatus.PENDING,
        Subscription.confirm_nonce == subscription.confirm_nonce,
    ).order_by(Subscription.id)).all()
    return [subscription, *others]


def confirmation_link(subscription: Subscription) -> str:
    """The link that confirms this subscription while its current nonce stands (single-use)."""
    return confirmation_link_for(subscription.id, subscription.confirm_nonce)


def confirmation_link_for(subscription_id: int, nonce: str) -> str:
    token = make_timed_token(CONFIRM_PURPOSE, [subscription_id, nonce])
    return external_url("subscriptions.confirm", token=token)


def subscription_for_confirmation(token: str) -> Subscription:
    """The pending subscription a confirmation link is for, changing nothing.

    Raises AlreadySubscribed when the link was used and the subscription stands; TokenExpired,
    or TokenError when the link is tampered, for another purpose, or its subscription is gone.
    """
    payload = read_timed_token(CONFIRM_PURPOSE, token, current_app.config["CONFIRM_MAX_AGE"])
    try:
        subscription_id, nonce = payload
    except (TypeError, ValueError):
        raise TokenError("This link is not valid.") from None
    subscription = db.session.get(Subscription, subscription_id)
    if (
        subscription is not None
        and subscription.status == SubscriptionStatus.CONFIRMED
        and subscription.confirm_nonce is None
    ):
        # A second press of the link (or a mail scanner's first): the link is genuine and
        # its work is done, so say so instead of calling the link bad.
        raise AlreadySubscribed(subscription)
    if (
        subscription is None
        or subscription.status != SubscriptionStatus.PENDING
        or subscription.confirm_nonce is None
        or not secrets.compare_digest(str(nonce), subscription.confirm_nonce)
    ):
        raise TokenError("This link has already been used or is no longer valid.")
    return subscription


def confirm_subscription(token: str) -> Subscription:
    """Confirm the subscription a link is for and queue the welcome mail (raises TokenError)."""
    return complete_confirmation(subscription_for_confirmation(token))


def confirm_subscription_by_code(code: str) -> Subscription:
    """Confirm from a reply to the confirmation mail, exactly as the button does.

    Raises TokenExpired, or TokenError for a code that is tampered, used or for another purpose.
    """
    purpose, subscription_id, _nonce = codes.parse_code(code)
    subscription = db.session.get(Subscription, subscription_id)
    if purpose != codes.JOIN or subscription is None or (
        subscription.status != SubscriptionStatus.PENDING
    ):
        raise TokenError("This code has already been used or is no longer valid.")
    codes.check_code(code, subscription.confirm_nonce)
    return complete_confirmation(subscription)


def complete_confirmation(subscription: Subscription) -> Subscription:
    """Turn a checked pending subscription (and those asked for with it) into confirmed ones
    and queue each list's welcome mail."""
    confirm_group(subscription)
    return subscription


def confirm_group(subscription: Subscription) -> list[Subscription]:
    """Confirm a checked pending subscription and those asked for with it; return them all."""
    group = confirmation_group(subscription)
    for each in group:
        _confirm(each)
    return group


def confirm_subscriptions(token: str) -> list[Subscription]:
    """Confirm every list a confirmation link is for (raises TokenError, TokenExpired)."""
    return confirm_group(subscription_for_confirmation(token))


def confirm_now(subscription: Subscription) -> None:
    """Confirm a pending subscription whose address is already proven (its latest consent
    record is the request being confirmed) and queue the welcome mail."""
    _confirm(subscription)


def _confirm(subscription: Subscription) -> None:
    now = utcnow()
    subscription.status = SubscriptionStatus.CONFIRMED
    subscription.confirmed_at = now
    subscription.confirm_nonce = None
    subscription.unsubscribed_at = None
    subscription.disabled_at = None
    subscription.bounce_score = 0.0
    subscription.consents[-1].confirmed_at = now
    # Rejoining lifts an earlier erasure: this is the new consent it waited for.
    db.session.execute(
        sa.delete(Suppression).where(
            Suppression.address_sha256 == address_hash(subscription.subscriber.email_key)
        )
    )
    send_welcome(subscription)
    emit("subscription.confirmed", subscription_event(subscription))


def subscription_event(subscription: Subscription) -> dict:
    """What an event about a subscription tells its listeners."""
    return {"subscription_id": subscription.id, "subscriber_id": subscription.subscriber_id,
            "email": subscription.subscriber.email, "list": subscription.mailing_list.slug,
            "status": subscription.status}


def send_welcome(subscription: Subscription) -> None:
    mailing_list = subscription.mailing_list
    notify(
        subscription, "subscription.welcome", "subscriptions/welcome",
        _l("Welcome to %(list)s", list=mailing_list.name),
        with_unsubscribe=True,
    )
