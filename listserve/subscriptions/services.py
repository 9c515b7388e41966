"""Joining and leaving a list. Services flush, never commit; mail goes through the outbox."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from listserve.core.addresses import address_hash, normalise_address
from listserve.core.db import utcnow
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
    """Start (or nudge) a double opt-in to one list (see request_subscriptions)."""
    return request_subscriptions(email, name, origin, [mailing_list or get_default_list()])[0]


def request_subscriptions(
    email: str, name: str, origin: Request, lists: list[MailingList]
) -> list[Subscription]:
    """Start (or nudge) a double opt-in to these lists: one confirmation mail confirms every
    list not yet confirmed (they share one nonce); what happens never depends on what the
    caller sees. Returns the subscriptions, in the order of `lists`.

    Raises InvalidAddress or UnsafeHeaderValue before anything is stored.
    """
    address, key = normalise_address(email)
    name = check_header_value((name or "").strip(), "name")[:200]
    subscriber = db.session.scalar(sa.select(Subscriber).filter_by(email_key=key))
    if subscriber is None:
        subscriber = Subscriber(email=address, email_key=key, name=name)
        db.session.add(subscriber)
        db.session.flush()
    subscriptions, fresh = [], False
    for mailing_list in lists:
        subscription = db.session.scalar(sa.select(Subscription).filter_by(
            subscriber_id=subscriber.id, list_id=mailing_list.id))
        if subscription is None:
            subscription = Subscription(subscriber=subscriber, mailing_list=mailing_list)
            db.session.add(subscription)
            db.session.flush()
            fresh = True
        elif subscription.status == SubscriptionStatus.CONFIRMED:
            _send_already_subscribed(subscription)
        elif subscription.status != SubscriptionStatus.PENDING:
            fresh = True  # unsubscribed or disabled: consent must be given again
        subscriptions.append(subscription)
    waiting = [s for s in subscriptions if s.status != SubscriptionStatus.CONFIRMED]
    if waiting:
        _ask_confirmation(waiting, origin, name, fresh)
    return subscriptions


def _ask_confirmation(waiting: list[Subscription], origin: Request, name: str,
                      fresh: bool) -> None:
    """One confirmation mail for every waiting subscription. Only pending ones (a repeat):
    at most one mail per CONFIRM_RESEND_INTERVAL, and the links already sent keep working."""
    now = utcnow()
    interval = timedelta(seconds=current_app.config["CONFIRM_RESEND_INTERVAL"])
    if not fresh and all(_recent(s.confirmation_sent_at, interval, now) for s in waiting):
        return
    nonces = {s.confirm_nonce for s in waiting}
    nonce = nonces.pop() if not fresh and len(nonces) == 1 and None not in nonces else (
        secrets.token_hex(8))
    for subscription in waiting:
        if subscription.status != SubscriptionStatus.PENDING:
            subscription.status = SubscriptionStatus.PENDING
        if subscription.confirm_nonce != nonce:
            subscription.requested_at = origin.asked_at or now
            subscription.confirm_nonce = nonce
        record_consent(subscription, origin)
    if name:
        waiting[0].subscriber.name = name
    _send_confirmation(waiting[0], now, origin, waiting)


def _recent(moment: datetime | None, interval: timedelta, now: datetime) -> bool:
    return moment is not None and now - moment < interval


def consent_text_digest(text: str | None = None) -> str:
    """The SHA-256 of a consent statement (default: the one shown today), its wording stored once."""
    digest = consent_text_sha256(text or current_app.config["CONSENT_TEXT"])
    db.session.flush()
    return digest


def consent_text_sha256(text: str) -> str:
    """The hash a consent record keeps of the exact text shown (stored once per wording)."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    if db.session.get(ConsentText, digest) is None:
        db.session.add(ConsentText(sha256=digest, text=text))
    return digest


def record_consent(subscription: Subscription, origin: Request,
                   confirmed_at: datetime | None = None) -> None:
    """A consent record for this subscription: its list's text, where and when it was asked."""
    # Each list's own consent text: the record says which list (its subscription) and what
    # the person agreed to for it.
    digest = consent_text_sha256(subscription.mailing_list.consent_text
                                 or current_app.config["CONSENT_TEXT"])
    # Set from the record's side: appending to `subscription.consents` would first load the
    # whole collection, a query per request to join.
    db.session.add(
        ConsentRecord(
            subscription=subscription,
            source=origin.source[:200],
            asked_at=origin.asked_at or utcnow(),
            confirmed_at=confirmed_at,
            ip=(origin.ip or None) and origin.ip[:45],
            user_agent=(origin.user_agent or None) and origin.user_agent[:400],
            consent_text_sha256=digest,
        )
    )


def _send_confirmation(subscription: Subscription, now: datetime, origin: Request,
                       together: list[Subscription] | None = None) -> None:
    """The confirmation mail for `subscription` and those asked for with it (same nonce)."""
    together = together or [subscription]
    for each in together:
        each.confirmation_sent_at = now
    mailing_list = subscription.mailing_list
    names = [each.mailing_list.name for each in together]
    # Every confirmation can be answered by replying: the Reply-To carries a short code.
    code = codes.make_code(codes.JOIN, subscription.id, subscription.confirm_nonce)
    enqueue_notice(
        # An answer to a mail is "auto-replied" (RFC 3834); see delivery.compose.
        purpose=("reply." if origin.source == "email" else "") + "subscription.confirm",
        template="subscriptions/confirm",
        subject=f"Please confirm: join {_joined(names)}",
        mailing_list=mailing_list,
        recipient=subscription.subscriber.email,
        recipient_name=subscription.subscriber.name,
        subscription=subscription,
        confirm_url=confirmation_link(subscription),
        reply_to=codes.confirm_address(mailing_list.slug, mailing_list.domain, code),
        max_age_days=current_app.config["CONFIRM_MAX_AGE"] // 86400,
        lists=[each.mailing_list for each in together],
    )


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def send_confirmation_again(subscription: Subscription) -> None:
    """Queue the confirmation mail once more for a pending subscription (same nonce)."""
    _send_confirmation(subscription, utcnow(), Request(source="committee: re-sent"),
                       confirmation_group(subscription))


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


def send_welcome(subscription: Subscription) -> None:
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
