"""Asking to join lists (double opt-in, consent records), and joining with consent proven
elsewhere. Confirming is in confirming.py. Services flush, never commit; mail goes through
the outbox."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from listserve.core.addresses import normalise_address
from listserve.core.db import utcnow
from listserve.core.headers import check_header_value
from listserve.core.lists import MailingList, get_default_list
from listserve.delivery.outbox import enqueue_notice
from listserve.extensions import db
from listserve.subscriptions import codes
from listserve.subscriptions.confirming import (
    confirm_now,
    confirmation_group,
    confirmation_link,
)
from listserve.subscriptions.models import (
    ConsentRecord,
    ConsentText,
    Subscriber,
    Subscription,
    SubscriptionStatus,
)
from listserve.subscriptions.notices import notify

UNSUBSCRIBE_PURPOSE = "unsubscribe"


@dataclass(frozen=True)
class Request:
    """Where a request to join came from, for the consent record."""

    source: str
    ip: str | None = None
    user_agent: str | None = None
    asked_at: datetime | None = None  # when the person asked, if not just now
    # The language the person asked in (the page's, a request mail's): their mail's language.
    language: str | None = None


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
        if origin.language and subscription.status != SubscriptionStatus.CONFIRMED:
            subscription.language = origin.language  # asked again in another language
        subscriptions.append(subscription)
    waiting = [s for s in subscriptions if s.status != SubscriptionStatus.CONFIRMED]
    if waiting:
        _ask_confirmation(waiting, origin, name, fresh)
    return subscriptions


def subscribe_confirmed(email: str, name: str, origin: Request) -> Subscription:
    """Join the default list with consent already proven elsewhere (a network member who
    ticked "also subscribe" and pressed the button in the mail that proves their address):
    the consent is recorded, and no second confirmation is asked. Raises InvalidAddress."""
    address, key = normalise_address(email)
    subscriber = db.session.scalar(sa.select(Subscriber).filter_by(email_key=key))
    if subscriber is None:
        subscriber = Subscriber(email=address, email_key=key,
                                name=check_header_value((name or "").strip(), "name")[:200])
        db.session.add(subscriber)
        db.session.flush()
    mailing_list = get_default_list()
    subscription = db.session.scalar(
        sa.select(Subscription).filter_by(subscriber_id=subscriber.id, list_id=mailing_list.id)
    )
    if subscription is None:
        subscription = Subscription(subscriber=subscriber, mailing_list=mailing_list)
        db.session.add(subscription)
        db.session.flush()
    elif subscription.status == SubscriptionStatus.CONFIRMED:
        return subscription
    subscription.language = origin.language or subscription.language
    subscription.status = SubscriptionStatus.PENDING
    subscription.requested_at = origin.asked_at or utcnow()
    record_consent(subscription, origin)
    db.session.flush()
    db.session.refresh(subscription, ["consents"])
    confirm_now(subscription)  # proven elsewhere: this subscription alone, no nonce
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
    subscription.language = origin.language or subscription.language
    subscription.requested_at = origin.asked_at or utcnow()
    db.session.flush()
    record_consent(subscription, origin)
    db.session.flush()
    db.session.expire(subscription, ["consents"])
    confirm_now(subscription)  # attested: this subscription alone, no nonce
    return subscription


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


def consent_text_sha256(text: str) -> str:
    """The hash a consent record keeps of the exact text shown (stored once per wording)."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    if db.session.get(ConsentText, digest) is None:
        db.session.add(ConsentText(sha256=digest, text=text))
        db.session.flush()  # before a Core INSERT of records naming it (signups' bulk path)
    return digest


def consent_text_digest(mailing_list: MailingList) -> str:
    """The SHA-256 of the consent statement this list shows today, its wording stored once."""
    return consent_text_sha256(mailing_list.consent_text or current_app.config["CONSENT_TEXT"])


def record_consent(subscription: Subscription, origin: Request,
                   confirmed_at: datetime | None = None) -> None:
    """A consent record for this subscription: its list's text, where and when it was asked."""
    # Each list's own consent text: the record says which list (its subscription) and what
    # the person agreed to for it.
    digest = consent_text_digest(subscription.mailing_list)
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
    language = subscription.mail_language
    with force_locale(language):
        subject = _("Please confirm: join %(lists)s", lists=_joined(names))
    enqueue_notice(
        language=language,
        # An answer to a mail is "auto-replied" (RFC 3834); see delivery.compose.
        purpose=("reply." if origin.source == "email" else "") + "subscription.confirm",
        template="subscriptions/confirm",
        subject=subject,
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
    if len(names) == 1:
        return names[0]
    # TRANSLATORS: the last two of several list names, as in "A, B and C".
    return _("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])


def send_confirmation_again(subscription: Subscription) -> None:
    """Queue the confirmation mail once more for a pending subscription (same nonce)."""
    _send_confirmation(subscription, utcnow(), Request(source="committee: re-sent"),
                       confirmation_group(subscription))


def _send_already_subscribed(subscription: Subscription) -> None:
    now = utcnow()
    interval = timedelta(seconds=current_app.config["ALREADY_SUBSCRIBED_NOTICE_INTERVAL"])
    if _recent(subscription.notice_sent_at, interval, now):
        return
    subscription.notice_sent_at = now
    mailing_list = subscription.mailing_list
    notify(
        subscription, "subscription.already", "subscriptions/already_subscribed",
        _l("You are already on %(list)s", list=mailing_list.name),
        with_unsubscribe=True,
    )


