"""Exporting subscribers: every field we hold for the selection, consent records included,
streamed in pages so memory stays flat however long the list is.

Left out on purpose: the confirmation nonce (a secret that would let a reader confirm for
someone else).
"""

import csv
import io
import json
from collections.abc import Iterator

import sqlalchemy as sa

from listserve.core.lists import MailingList
from listserve.extensions import db
from listserve.subscriptions.manage.selection import Selection, apply_selection
from listserve.subscriptions.models import ConsentRecord, ConsentText, Subscriber, Subscription

PAGE = 1000
SUBSCRIPTION_FIELDS = (
    "status", "created_at", "requested_at", "confirmed_at", "unsubscribed_at", "disabled_at",
    "confirmation_sent_at", "notice_sent_at", "bounce_score", "last_bounce_at", "language",
)
COLUMNS = (
    "email", "name", "status", "consent_date", "list", "subscriber_id", "subscriber_created_at",
    "subscription_id", *(f for f in SUBSCRIPTION_FIELDS if f != "status"), "consent_records",
)


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _consents(subscription_ids: list[int]) -> dict[int, list[dict]]:
    rows = db.session.execute(
        sa.select(ConsentRecord, ConsentText.text)
        .join(ConsentText, ConsentText.sha256 == ConsentRecord.consent_text_sha256)
        .where(ConsentRecord.subscription_id.in_(subscription_ids))
        .order_by(ConsentRecord.id)
    )
    by_subscription: dict[int, list[dict]] = {}
    for record, text in rows:
        by_subscription.setdefault(record.subscription_id, []).append({
            "source": record.source,
            "asked_at": _iso(record.asked_at),
            "confirmed_at": _iso(record.confirmed_at),
            "ip": record.ip,
            "user_agent": record.user_agent,
            "consent_text": text,
            "consent_text_sha256": record.consent_text_sha256,
        })
    return by_subscription


def exported_subscriptions(selection: Selection) -> Iterator[dict]:
    """One dict per selected subscription, in id order, read a page at a time."""
    last_id = 0
    while True:
        statement = (
            sa.select(Subscription, Subscriber, MailingList.slug)
            .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
            .join(MailingList, MailingList.id == Subscription.list_id)
            .where(Subscription.id > last_id)
            .order_by(Subscription.id)
            .limit(PAGE)
        )
        page = db.session.execute(apply_selection(statement, selection)).all()
        if not page:
            return
        consents = _consents([subscription.id for subscription, _, _ in page])
        for subscription, subscriber, slug in page:
            yield _exported(subscription, subscriber, slug, consents.get(subscription.id, []))
        last_id = page[-1][0].id
        db.session.expunge_all()  # keep the identity map from growing with the export


def _exported(subscription, subscriber, slug: str, consents: list[dict]) -> dict:
    values = {
        "email": subscriber.email,
        "name": subscriber.name,
        "status": subscription.status,
        "consent_date": _iso(subscription.confirmed_at or subscription.requested_at),
        "list": slug,
        "subscriber_id": subscriber.id,
        "subscriber_created_at": _iso(subscriber.created_at),
        "subscription_id": subscription.id,
    }
    for name in SUBSCRIPTION_FIELDS[1:]:
        value = getattr(subscription, name)
        values[name] = value if name in ("bounce_score", "language") else _iso(value)
    values["consent_records"] = consents
    return values


def export_csv(selection: Selection) -> Iterator[str]:
    """The selection as CSV text, a page of rows per chunk; consent records as a JSON column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for count, values in enumerate(exported_subscriptions(selection), start=1):
        values["consent_records"] = json.dumps(values["consent_records"], ensure_ascii=False)
        writer.writerow(["" if values[c] is None else values[c] for c in COLUMNS])
        if count % PAGE == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def export_json(selection: Selection) -> Iterator[str]:
    """The selection as one JSON array, streamed."""
    yield "["
    separator = "\n"
    for values in exported_subscriptions(selection):
        yield separator + json.dumps(values, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
