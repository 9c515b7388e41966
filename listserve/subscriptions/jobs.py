"""What the subscriptions feature gives the delivery workers (delivery.hooks): its round job
(requests to join from the web are carried out), the recipients of an announcement, whether a
copy's person is still subscribed, confirmation links for bulk-queued requests, and what a
permanent bounce does to a subscription."""

import logging

import sqlalchemy as sa

from listserve.core.addresses import InvalidAddress
from listserve.core.db import IMMEDIATE, among
from listserve.core.headers import UnsafeHeaderValue
from listserve.core.i18n import offered_or_none
from listserve.core.lists import MailingList, get_default_list
from listserve.core.tokens import timed_serializer
from listserve.core.urls import external_url
from listserve.delivery.hooks import Bounce, Confirmation, DeliveryHooks
from listserve.extensions import db
from listserve.subscriptions import codes, signups
from listserve.subscriptions.bounces import record_bounce
from listserve.subscriptions.confirming import CONFIRM_PURPOSE
from listserve.subscriptions.models import (
    DeliveryMode,
    SignupRequest,
    Subscriber,
    Subscription,
    SubscriptionStatus,
)
from listserve.subscriptions.services import Request, request_subscriptions

log = logging.getLogger(__name__)

BATCH = 200


def register(hooks: DeliveryHooks) -> None:
    hooks.round_jobs.append(carry_out_signup_requests)
    hooks.recipients = confirmed_recipients
    hooks.still_subscribed = still_subscribed
    hooks.confirm_links = pending_confirmation_links
    hooks.bounce_listeners.append(record_smtp_bounce)


def confirmed_recipients(list_id: int, language: str | None = None,
                         other_than: list[str] | None = None) -> sa.Select:
    """(subscription id, address, name) of everyone confirmed on the list who takes each
    message (digest readers get the list's digest instead, listserve.archive.digests).

    For an announcement in several languages: `language`, only those whose mail goes out in
    it; `other_than`, only those whose language is none of these codes (no language stated, or
    one with no translation: they get the default version)."""
    select = (
        sa.select(Subscription.id, Subscriber.email, Subscriber.name)
        .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(Subscription.list_id == list_id,
               Subscription.status == SubscriptionStatus.CONFIRMED,
               Subscription.delivery_mode == DeliveryMode.EACH.value)
    )
    if language is not None:
        select = select.where(Subscription.language == language)
    if other_than:
        select = select.where(sa.or_(Subscription.language.is_(None),
                                     Subscription.language.not_in(other_than)))
    return select


def still_subscribed(subscription_id: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """The subscription's status as a scalar subquery (a primary-key probe), compared."""
    status = (
        sa.select(Subscription.status)
        .where(Subscription.id == subscription_id)
        .scalar_subquery()
    )
    return sa.func.coalesce(status, "") == SubscriptionStatus.CONFIRMED.value


def pending_confirmation_links(subscription_ids: list[int]) -> dict[int, Confirmation]:
    """Each still-pending subscription's link and reply address, made from its current nonce
    (single-use). Read as plain rows: a worker asks for up to a batch of them at a time."""
    rows = db.session.execute(
        sa.select(Subscription.id, Subscription.confirm_nonce, Subscription.list_id).where(
            among(Subscription.id, subscription_ids),
            Subscription.status == SubscriptionStatus.PENDING,
            Subscription.confirm_nonce.is_not(None),
        )
    ).all()
    lists = {}
    for list_id in {row.list_id for row in rows}:
        lists[list_id] = db.session.get(MailingList, list_id)
    # confirmation_link's tokens and URLs, with the key derived and the route built once.
    tokens = timed_serializer(CONFIRM_PURPOSE)
    prefix = external_url("subscriptions.confirm", token="T")[:-1]  # noqa: S106
    return {
        row.id: Confirmation(
            prefix + tokens.dumps([row.id, row.confirm_nonce]),
            codes.confirm_address(lists[row.list_id].slug, lists[row.list_id].domain,
                                  codes.make_code(codes.JOIN, row.id, row.confirm_nonce)),
        )
        for row in rows
    }


def record_smtp_bounce(bounce: Bounce) -> None:
    subscription = db.session.get(Subscription, bounce.subscription_id)
    if subscription is not None:
        record_bounce(subscription, permanent=True, source="smtp",
                      outbox_entry_id=bounce.outbox_entry_id, status=bounce.status,
                      diagnostic=bounce.diagnostic)


def carry_out_signup_requests(limit: int = BATCH) -> int:
    """Start the double opt-in of waiting requests, oldest first; return how many were taken.

    A job, like a worker batch: it commits. Several workers may run it at once: on PostgreSQL
    each takes rows the others have not locked, on SQLite one writer goes at a time. A request
    that cannot be carried out keeps its row with the reason, and the others go on.
    """
    db.session.connection(execution_options=IMMEDIATE)
    waiting = db.session.scalars(
        sa.select(SignupRequest)
        .where(SignupRequest.error.is_(None))
        .order_by(SignupRequest.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not waiting:
        db.session.commit()
        return 0
    mailing_list = get_default_list()
    # New people all at once; known addresses and unusable requests one by one.
    fresh, others = signups.sort_out(waiting, mailing_list.id)
    done = signups.start_confirmations(fresh, mailing_list)
    # Those whose address another worker stored meanwhile take the road of known people.
    left = {w.id for w in fresh} - done
    for signup in sorted([*others, *(s for s in waiting if s.id in left)], key=lambda s: s.id):
        origin = Request(source=signup.source, ip=signup.ip, user_agent=signup.user_agent,
                         asked_at=signup.requested_at, language=offered_or_none(signup.language))
        lists = lists_asked(signup, mailing_list)
        if not lists:
            signup.error = "no list asked for can be joined from the site"
            continue
        try:
            with db.session.begin_nested():
                request_subscriptions(signup.email, signup.name, origin, lists)
        except (InvalidAddress, UnsafeHeaderValue, sa.exc.IntegrityError, sa.exc.DataError) as exc:
            # It would fail again; a lost connection or a lock (anything else) is raised, and
            # the whole round is tried again later.
            log.warning("request to join %d could not be carried out: %s", signup.id, exc)
            signup.error = f"{type(exc).__name__}: {exc}"[:2000]
        else:
            done.add(signup.id)
    if done:
        db.session.execute(
            sa.delete(SignupRequest).where(among(SignupRequest.id, done))
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return len(waiting)


def lists_asked(signup: SignupRequest, default: MailingList) -> list[MailingList]:
    """The lists a request names that may be joined from the site: public and in use (the
    form's ids are not checked when it is sent). No ids: the main list, as before lists."""
    if not signup.list_ids:
        return [default]
    ids = [int(part) for part in signup.list_ids.split(",") if part.strip().isdigit()]
    found = [db.session.get(MailingList, list_id) for list_id in ids]
    return [mailing_list for mailing_list in found
            if mailing_list is not None and mailing_list.public and not mailing_list.archived]
