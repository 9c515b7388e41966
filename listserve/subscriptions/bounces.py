"""Bounce scoring, as Mailman does it: a permanent bounce adds one point at most once a day,
temporary ones are only recorded, a score with no bounce for a week starts again, and at the
threshold delivery stops and the subscriber is told how to turn it back on."""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from listserve.core.db import utcnow
from listserve.core.events import emit
from listserve.core.tokens import TokenError, make_timed_token, read_timed_token
from listserve.core.urls import external_url
from listserve.extensions import db
from listserve.subscriptions.confirming import subscription_event
from listserve.subscriptions.models import BounceEvent, Subscription, SubscriptionStatus
from listserve.subscriptions.notices import notify

REENABLE_PURPOSE = "reenable-subscription"


def record_bounce(
    subscription: Subscription,
    *,
    permanent: bool,
    source: str,
    outbox_entry_id: int | None = None,
    status: str | None = None,
    diagnostic: str | None = None,
) -> BounceEvent:
    """Record a bounce and score it; at the threshold, disable delivery and send the notice."""
    now = utcnow()
    event = BounceEvent(
        subscription_id=subscription.id,
        outbox_entry_id=outbox_entry_id,
        kind="permanent" if permanent else "temporary",
        status=(status or None) and status[:16],
        diagnostic=(diagnostic or None) and diagnostic[:2000],
        source=source,
        created_at=now,
    )
    db.session.add(event)
    if permanent:
        _score(subscription, now)
    db.session.flush()
    return event


def _score(subscription: Subscription, now) -> None:
    cfg = current_app.config
    last = subscription.last_bounce_at
    if last is not None and last.date() == now.date():
        return  # one point a day at most, however many copies bounced
    stale = timedelta(days=cfg["BOUNCE_STALE_AFTER_DAYS"])
    if last is None or now - last > stale:
        subscription.bounce_score = 1.0
    else:
        subscription.bounce_score += 1.0
    subscription.last_bounce_at = now
    if (
        subscription.bounce_score >= cfg["BOUNCE_SCORE_THRESHOLD"]
        and subscription.status == SubscriptionStatus.CONFIRMED
    ):
        disable_delivery(subscription)


def disable_delivery(subscription: Subscription) -> None:
    """Stop delivery to a bouncing address and mail it a link to turn delivery back on."""
    now = utcnow()
    subscription.status = SubscriptionStatus.DISABLED
    subscription.disabled_at = now
    token = make_timed_token(REENABLE_PURPOSE, [subscription.id, int(now.timestamp())])
    mailing_list = subscription.mailing_list
    notify(
        subscription, "subscription.disabled", "subscriptions/disabled",
        _l("Delivery from %(list)s is paused", list=mailing_list.name),
        reenable_url=external_url("subscriptions.reenable", token=token),
    )
    emit("subscription.bounce_disabled", subscription_event(subscription))


def subscription_for_reenable(token: str) -> Subscription:
    """The disabled subscription a re-enable link is for; raises TokenExpired or TokenError."""
    payload = read_timed_token(
        REENABLE_PURPOSE, token, current_app.config["REENABLE_MAX_AGE"]
    )
    try:
        subscription_id, disabled_stamp = payload
    except (TypeError, ValueError):
        raise TokenError("This link is not valid.") from None
    subscription = db.session.get(Subscription, subscription_id)
    if (
        subscription is None
        or subscription.status != SubscriptionStatus.DISABLED
        or subscription.disabled_at is None
        or int(subscription.disabled_at.timestamp()) != disabled_stamp
    ):
        raise TokenError("This link has already been used or is no longer valid.")
    return subscription


def reenable_delivery(token: str) -> Subscription:
    """Turn delivery back on and start the bounce score afresh; raises TokenError."""
    subscription = subscription_for_reenable(token)
    subscription.status = SubscriptionStatus.CONFIRMED
    subscription.disabled_at = None
    subscription.bounce_score = 0.0
    subscription.last_bounce_at = None
    db.session.flush()
    return subscription
