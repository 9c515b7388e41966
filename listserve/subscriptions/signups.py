"""Requests to join from the web: stored by the request, carried out by a worker.

The subscribe form checks what the person typed (a deliverable-looking address, a name safe in
a header) and stores it with the consent evidence (when, from which IP and browser) as one row,
in one INSERT: a request that answers at once however many people arrive together. A delivery
worker then carries each request out (`request_subscription`: the pending subscription, the
consent record, the confirmation mail in the outbox) in the transaction that deletes the row;
a worker that dies before committing leaves the row for the next. The confirmation mail needs
a worker in any case, so nobody waits longer for it.

A surge is carried out set-based: the requests of people not known yet (nearly all of them)
become subscribers, subscriptions, consent records and the copies of one confirmation mailing
in a few statements per round (start_confirmations); only requests from known addresses, and
requests that cannot be used, go one by one through request_subscription.
"""

import logging
import secrets
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from listserve.core.addresses import normalise_address
from listserve.core.db import among, insert_many, insert_row, utcnow
from listserve.core.headers import UnsafeHeaderValue, check_header_value, is_header_safe
from listserve.core.i18n import mail_language, offered_or_none
from listserve.core.lists import MailingList
from listserve.delivery.outbox import CONFIRM_URL, enqueue_confirmation_requests, render_mail
from listserve.extensions import db
from listserve.subscriptions.models import (
    ConsentRecord,
    SignupRequest,
    Subscriber,
    Subscription,
    SubscriptionStatus,
)
from listserve.subscriptions.services import Request, consent_text_digest

log = logging.getLogger(__name__)


def store_signup_request(email: str, name: str, origin: Request,
                         list_ids: list[int] | None = None) -> None:
    """Keep a request to join `list_ids` (default: the main list) for a worker, with the
    language asked in (origin.language): one row, in one INSERT that is its own transaction,
    committed when this returns (the request answers only once it is stored; nothing else of
    the request's is written).
    Raises InvalidAddress or UnsafeHeaderValue (and stores nothing) when the address or the
    name cannot be used."""
    address, _key = normalise_address(email)
    name = check_header_value((name or "").strip(), "name")[:200]
    # Not the ORM session: its machinery (and its bulk insert) cost several times the INSERT.
    insert_row(SignupRequest.__table__, {
        "email": address,
        "name": name,
        "source": origin.source[:200],
        "ip": (origin.ip or None) and origin.ip[:45],
        "user_agent": (origin.user_agent or None) and origin.user_agent[:400],
        "requested_at": utcnow(),
        # None: the main list (the footer's short form).
        "list_ids": ",".join(str(i) for i in list_ids) if list_ids else None,
        "language": origin.language,
    })


class Waiting(NamedTuple):
    """A stored request to join, checked and ready to be carried out in bulk."""

    id: int
    address: str
    key: str
    name: str
    source: str
    ip: str | None
    user_agent: str | None
    asked_at: datetime
    language: str  # an offered one: the subscription's, and its confirmation mail's


def sort_out(rows, default_list_id: int) -> tuple[list[Waiting], list]:
    """(the requests of people the database does not know yet, first one per address, checked;
    every other request, in order). Those others take request_subscription's road, one by one:
    a known person's state decides what happens (a nudge, a notice, nothing), and a request
    that cannot be carried out keeps its reason there."""
    fresh, others, seen = [], [], set()
    for row in rows:
        # The address was normalised when it was stored (store_signup_request); anything
        # else (a row stored some other way) is checked on the road of the others.
        address = row.email or ""
        if row.list_ids and row.list_ids.strip() != str(default_list_id):
            others.append(row)  # several lists (or another one): one confirmation for all
            continue
        try:
            name = check_header_value((row.name or "").strip(), "name")[:200]
        except UnsafeHeaderValue:
            name = None
        if name is None or not (is_header_safe(address) and "@" in address):
            others.append(row)
            continue
        key = address.lower()
        if key in seen:
            others.append(row)  # after the first, as before: within the resend interval
            continue
        seen.add(key)
        fresh.append(Waiting(row.id, address, key, name, row.source, row.ip, row.user_agent,
                             row.requested_at, mail_language(offered_or_none(row.language))))
    known = set(db.session.scalars(
        sa.select(Subscriber.email_key)
        .where(among(Subscriber.email_key, [w.key for w in fresh]))
    )) if fresh else set()
    if known:
        known_ids = {w.id for w in fresh if w.key in known}
        others = sorted([*others, *(row for row in rows if row.id in known_ids)],
                        key=lambda row: row.id)
    return [w for w in fresh if w.key not in known], others


def start_confirmations(waiting: list[Waiting], mailing_list: MailingList) -> set[int]:
    """Start the double opt-in of people not yet known, all at once: their subscribers,
    pending subscriptions and consent records in a few multi-row INSERTs, and their
    confirmation mails as the copies of ONE mailing, each with its own link and reply
    address filled in by the worker (delivery.hooks confirm_links), as an import does.
    Return the ids of the requests carried out; those whose address someone else stored
    meanwhile are left for request_subscription."""
    if not waiting:
        return set()
    now = utcnow()
    subscriber = Subscriber.__table__
    # One statement per table for the whole round (core.db.insert_many).
    added = dict(insert_many(
        subscriber,
        [{"email": w.address, "email_key": w.key, "name": w.name, "created_at": now}
         for w in waiting],
        returning=(subscriber.c.email_key, subscriber.c.id), conflict_key="email_key",
    ))
    waiting = [w for w in waiting if w.key in added]
    if not waiting:
        return set()
    subscription = Subscription.__table__
    by_person = dict(insert_many(
        subscription,
        [{"subscriber_id": added[w.key], "list_id": mailing_list.id,
          "status": SubscriptionStatus.PENDING.value, "created_at": now,
          "requested_at": w.asked_at or now, "confirm_nonce": secrets.token_hex(8),
          "confirmation_sent_at": now, "bounce_score": 0.0, "language": w.language}
         for w in waiting],
        returning=(subscription.c.subscriber_id, subscription.c.id),
    ))
    digest = consent_text_digest(mailing_list)
    insert_many(ConsentRecord.__table__, [{
        "subscription_id": by_person[added[w.key]], "source": w.source[:200],
        "asked_at": w.asked_at or now, "ip": (w.ip or None) and w.ip[:45],
        "user_agent": (w.user_agent or None) and w.user_agent[:400],
        "consent_text_sha256": digest,
    } for w in waiting])
    for language in sorted({w.language for w in waiting}):
        _queue_confirmations(mailing_list, language, [
            (by_person[added[w.key]], w.address, w.name) for w in waiting
            if w.language == language
        ])
    return {w.id for w in waiting}


def _queue_confirmations(mailing_list: MailingList, language: str,
                         copies: list[tuple[int, str, str]]) -> None:
    """One confirmation request per language for a round's new people, rendered once; the
    worker puts each copy's link where CONFIRM_URL stands and its reply address in the
    Reply-To. No name in the greeting: the body is shared (and a typed name is not echoed to
    an address nobody has confirmed yet)."""
    text, html = render_mail(
        "subscriptions/confirm", language, mailing_list=mailing_list, recipient_name="",
        confirm_url=CONFIRM_URL, max_age_days=current_app.config["CONFIRM_MAX_AGE"] // 86400,
    )
    with force_locale(language):
        subject = _("Please confirm: join %(lists)s", lists=mailing_list.name)
    enqueue_confirmation_requests(
        mailing_list=mailing_list, purpose="subscription.confirm", subject=subject,
        text_body=text, html_body=html, copies=copies, language=language,
    )
