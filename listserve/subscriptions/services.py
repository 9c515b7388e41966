"""Joining and leaving a list. Services flush, never commit; mail goes through the outbox."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from listserve.core.addresses import address_hash, normalise_address
from listserve.core.db import utcnow
from listserve.core.events import emit
from listserve.core.headers import check_header_value
from listserve.core.lists import MailingList, get_default_list
from listserve.core.tokens import TokenError, make_timed_token, read_timed_token
from listserve.core.urls import external_url
from listserve.delivery.outbox import enqueue_notice
from listserve.extensions import db
from listserve.subscriptions import codes
from listserve.subscriptions.models import (
    ConsentRecord,
    ConsentText,
    Subscriber,
    Subscription,
    SubscriptionStatus,
    Suppression,
)

CONFIRM_PURPOSE = "confirm-subscription"
UNSUBSCRIBE_PURPOSE = "unsubscribe"


@dataclass(frozen=True)
class Request:
    """Where a request to join came from, for the consent record."""

    source: str
    ip: str | None = None
    user_agent: str | None = None
    asked_at: datetime | None = None  # when the person asked, if not just now


def request_subscription(
    email: str, name: str, origin: Request, mailing_list: MailingList | None = None
) -> Subscription:
    """Start (or nudge) a double opt-in; what happens never depends on what the caller sees.

    Raises InvalidAddress or UnsafeHeaderValue before anything is stored.
    """
    address, key = normalise_address(email)
    name = check_header_value((name or "").strip(), "name")[:200]
    mailing_list = mailing_list or get_default_list()
    subscriber = db.session.scalar(sa.select(Subscriber).filter_by(email_key=key))
    if subscriber is None:
        subscriber = Subscriber(email=address, email_key=key, name=name)
        db.session.add(subscriber)
        db.session.flush()
    subscription = db.session.scalar(
        sa.select(Subscription).filter_by(subscriber_id=subscriber.id, list_id=mailing_list.id)
    )
    if subscription is None:
        subscription = Subscription(subscriber=subscriber, mailing_list=mailing_list)
        db.session.add(subscription)
        db.session.flush()
        _start_confirmation(subscription, origin, name)
    elif subscription.status == SubscriptionStatus.CONFIRMED:
        _send_already_subscribed(subscription)
    elif subscription.status == SubscriptionStatus.PENDING:
        _resend_confirmation(subscription, origin, name)
    else:  # unsubscribed or disabled: consent must be given again
        _start_confirmation(subscription, origin, name)
    return subscription


def add_attested_subscription(
    email: str, name: str, origin: Request, mailing_list: MailingList | None = None
) -> Subscription:
    """Subscribe someone whose consent an admin attests was given elsewhere: confirmed at once,
    the consent recorded with its source, the welcome mail queued (no confirmation mail).

    Raises InvalidAddress or UnsafeHeaderValue before anything is stored.
    """
    address, key = normalise_address(email)
    name = check_header_value((name or "").strip(), "name")[:200]
    mailing_list = mailing_list or get_default_list()
    subscriber = db.session.scalar(sa.select(Subscriber).filter_by(email_key=key))
    if subscriber is None:
        subscriber = Subscriber(email=address, email_key=key, name=name)
        db.session.add(subscriber)
        db.session.flush()
    subscription = db.session.scalar(
        sa.select(Subscription).filter_by(subscriber_id=subscriber.id, list_id=mailing_list.id)
    )
    if subscription is None:
        subscription = Subscription(subscriber=subscriber, mailing_list=mailing_list)
        db.session.add(subscription)
    elif subscription.status == SubscriptionStatus.CONFIRMED:
        return subscription
    if name:
        subscriber.name = name
    subscription.requested_at = origin.asked_at or utcnow()
    db.session.flush()
    _record_consent_request(subscription, origin)
    db.session.flush()
    db.session.expire(subscription, ["consents"])
    return complete_confirmation(subscription)


def _start_confirmation(subscription: Subscription, origin: Request, name: str) -> None:
    now = utcnow()
    subscription.status = SubscriptionStatus.PENDING
    subscription.requested_at = origin.asked_at or now
    subscription.confirm_nonce = secrets.token_hex(8)
    if name:
        subscription.subscriber.name = name
    _record_consent_request(subscription, origin)
    _send_confirmation(subscription, now, origin)


def _resend_confirmation(subscription: Subscription, origin: Request, name: str) -> None:
    now = utcnow()
    interval = timedelta(seconds=current_app.config["CONFIRM_RESEND_INTERVAL"])
    if _recent(subscription.confirmation_sent_at, interval, now):
        return
    if name:
        subscription.subscriber.name = name
    _record_consent_request(subscription, origin)
    _send_confirmation(subscription, now, origin)


def _recent(moment: datetime | None, interval: timedelta, now: datetime) -> bool:
    return moment is not None and now - moment < interval


def _record_consent_request(subscription: Subscription, origin: Request) -> None:
    text = current_app.config["CONSENT_TEXT"]
    digest = hashlib.sha256(text.encode()).hexdigest()
    if db.session.get(ConsentText, digest) is None:
        db.session.add(ConsentText(sha256=digest, text=text))
    # Set from the record's side: appending to `subscription.consents` would first load the
    # whole collection, a query per request to join.
    db.session.add(
        ConsentRecord(
            subscription=subscription,
            source=origin.source[:200],
            asked_at=origin.asked_at or utcnow(),
            ip=(origin.ip or None) and origin.ip[:45],
            user_agent=(origin.user_agent or None) and origin.user_agent[:400],
            consent_text_sha256=digest,
        )
    )


def _send_confirmation(subscription: Subscription, now: datetime, origin: Request) -> None:
    subscription.confirmation_sent_at = now
    mailing_list = subscription.mailing_list
    # Every confirmation can be answered by replying: the Reply-To carries a short code.
    code = codes.make_code(codes.JOIN, subscription.id, subscription.confirm_nonce)
    enqueue_notice(
        # An answer to a mail is "auto-replied" (RFC 3834); see delivery.compose.
        purpose=("reply." if origin.source == "email" else "") + "subscription.confirm",
        template="subscriptions/confirm",
        subject=f"Please confirm: join {mailing_list.name}",
        mailing_list=mailing_list,
        recipient=subscription.subscriber.email,
        recipient_name=subscription.subscriber.name,
        subscription=subscription,
        confirm_url=confirmation_link(subscription),
        reply_to=codes.confirm_address(mailing_list.slug, mailing_list.domain, code),
        max_age_days=current_app.config["CONFIRM_MAX_AGE"] // 86400,
    )


def send_confirmation_again(subscription: Subscription) -> None:
    """Queue the confirmation mail once more for a pending subscription (same nonce)."""
    _send_confirmation(subscription, utcnow(), Request(source="committee: re-sent"))


def confirmation_link(subscription: Subscription) -> str:
    """The link that confirms this subscription while its current nonce stands (single-use)."""
    token = make_timed_token(CONFIRM_PURPOSE, [subscription.id, subscription.confirm_nonce])
    return external_url("subscriptions.confirm", token=token)


def _send_already_subscribed(subscription: Subscription) -> None:
    now = utcnow()
    interval = timedelta(seconds=current_app.config["ALREADY_SUBSCRIBED_NOTICE_INTERVAL"])
    if _recent(subscription.notice_sent_at, interval, now):
        return
    subscription.notice_sent_at = now
    mailing_list = subscription.mailing_list
    enqueue_notice(
        purpose="subscription.already",
        template="subscriptions/already_subscribed",
        subject=f"You are already on {mailing_list.name}",
        mailing_list=mailing_list,
        recipient=subscription.subscriber.email,
        recipient_name=subscription.subscriber.name,
        subscription=subscription,
        with_unsubscribe=True,
    )


def subscription_for_confirmation(token: str) -> Subscription:
    """The pending subscription a confirmation link is for, changing nothing.

    Raises TokenExpired, or TokenError when the link is tampered, for another purpose,
    already used, or its subscription is gone.
    """
    payload = read_timed_token(CONFIRM_PURPOSE, token, current_app.config["CONFIRM_MAX_AGE"])
    try:
        subscription_id, nonce = payload
    except (TypeError, ValueError):
        raise TokenError("This link is not valid.") from None
    subscription = db.session.get(Subscription, subscription_id)
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
    purpose, subscription_id, _ = codes.parse_code(code)
    subscription = db.session.get(Subscription, subscription_id)
    if purpose != codes.JOIN or subscription is None or (
        subscription.status != SubscriptionStatus.PENDING
    ):
        raise TokenError("This code has already been used or is no longer valid.")
    codes.check_code(code, subscription.confirm_nonce)
    return complete_confirmation(subscription)


def complete_confirmation(subscription: Subscription) -> Subscription:
    """Turn a checked pending subscription into a confirmed one and queue the welcome mail."""
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
    mailing_list = subscription.mailing_list
    enqueue_notice(
        purpose="subscription.welcome",
        template="subscriptions/welcome",
        subject=f"Welcome to {mailing_list.name}",
        mailing_list=mailing_list,
        recipient=subscription.subscriber.email,
        recipient_name=subscription.subscriber.name,
        subscription=subscription,
        with_unsubscribe=True,
    )
    emit("subscription.confirmed", subscription_event(subscription))
    return subscription


def subscription_event(subscription: Subscription) -> dict:
    """What an event about a subscription tells its listeners."""
    return {"subscription_id": subscription.id, "subscriber_id": subscription.subscriber_id,
            "email": subscription.subscriber.email, "list": subscription.mailing_list.slug,
            "status": subscription.status}
