"""The only way mail leaves: rows written in the caller's transaction, sent later by a worker.

A request that rolls back therefore sends nothing, and no SMTP conversation ever happens
inside a web request.
"""

from datetime import datetime
from email.utils import make_msgid
from typing import NamedTuple

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound

from listserve.core.db import UTCDateTime, insert_many, utcnow
from listserve.core.headers import check_header_value
from listserve.core.i18n import mail_language, page_language
from listserve.core.lists import MailingList
from listserve.delivery.address_fields import check_reply_to
from listserve.delivery.hooks import current_hooks
from listserve.delivery.models import (
    Mailing,
    MailingAttachment,
    MailingKind,
    OutboxEntry,
    OutboxStatus,
)
from listserve.extensions import db

# Stands in a rendered body where each recipient's own unsubscribe link goes; the worker
# swaps it per copy, so a mailing is rendered once however many people receive it.
UNSUBSCRIBE_URL = "%%UNSUBSCRIBE_URL%%"
# Likewise for a confirmation request queued in bulk (an import): each copy's own link.
CONFIRM_URL = "%%CONFIRM_URL%%"
# A mailing's Reply-To when each copy carries its own (the address that confirms by reply).
CONFIRM_REPLY_TO = "%%CONFIRM_REPLY_TO%%"


class Attachment(NamedTuple):
    """A file attached to every copy of a mailing."""

    filename: str
    content_type: str  # with its parameters: "text/calendar; method=REQUEST"
    content: bytes
    transfer_encoding: str | None = None  # base64, quoted-printable or 7bit; None: base64


def _attach(mailing: Mailing, attachments: list[Attachment] | None) -> None:
    for attachment in attachments or ():
        check_header_value(attachment.filename, "attachment name")
        check_header_value(attachment.content_type, "attachment type")
        db.session.add(MailingAttachment(mailing=mailing, filename=attachment.filename,
                                         content_type=attachment.content_type,
                                         content=attachment.content,
                                         transfer_encoding=attachment.transfer_encoding))


class AlreadyQueued(Exception):
    """This announcement (the same purpose) was queued before: it is never sent twice."""


def notice_language(language: str | None) -> str:
    """The language a notice goes out in: the one stated for its recipient (a subscription's),
    else the page's when a person's own action sends it, else the site default."""
    return mail_language(language or page_language())


def render_mail(template: str, language: str | None = None, **context) -> tuple[str, str | None]:
    """Render templates/email/<template>.txt and, when it exists, .html (in `language`, an
    offered one, when given)."""
    if language:
        with force_locale(language):
            return render_mail(template, **context)
    context.setdefault("unsubscribe_url", UNSUBSCRIBE_URL)
    text = render_template(f"email/{template}.txt", **context)
    try:
        html = render_template(f"email/{template}.html", **context)
    except TemplateNotFound:
        html = None
    return text, html


def enqueue_notice(
    *,
    purpose: str,
    template: str,
    subject: str,
    mailing_list: MailingList,
    recipient: str,
    recipient_name: str = "",
    subscription=None,  # the subscription it concerns, if any (anything with an id)
    with_unsubscribe: bool = False,
    reply_to: str | None = None,
    attachments: list[Attachment] | None = None,
    language: str | None = None,
    **context,
) -> OutboxEntry:
    """Queue one personal notice (confirmation, welcome, …) for one address, written in
    `language` (the recipient's stated one, see notice_language) and saying so
    (Content-Language). Pass the subject lazily (`lazy_gettext`) so it is translated into
    that language too.

    Raises UnsafeHeaderValue when the subject, name or address would break a header.
    """
    language = notice_language(language)
    with force_locale(language):
        subject = str(subject)
    check_header_value(subject, "subject")
    check_header_value(recipient, "address")
    check_header_value(recipient_name, "name")
    if reply_to:
        check_reply_to(reply_to)
    text, html = render_mail(
        template, language, mailing_list=mailing_list, recipient_name=recipient_name, **context
    )
    mailing = Mailing(
        list_id=mailing_list.id,
        kind=MailingKind.NOTICE,
        purpose=purpose,
        language=language,
        subject=subject,
        text_body=text,
        html_body=html,
        reply_to=reply_to,
        personal_unsubscribe=with_unsubscribe,
    )
    entry = OutboxEntry(
        mailing=mailing,
        recipient=recipient,
        recipient_name=recipient_name,
        subscription_id=subscription.id if subscription else None,
        message_id=make_msgid(domain=mailing_list.domain),
    )
    db.session.add_all([mailing, entry])
    _attach(mailing, attachments)
    db.session.flush()
    return entry


def enqueue_announcement(
    *,
    mailing_list: MailingList,
    purpose: str,
    subject: str,
    text_body: str,
    html_body: str | None,
    reply_to: str | None = None,
    archived_at: str | None = None,
    recipients: sa.Select | None = None,
    attachments: list[Attachment] | None = None,
    sender: tuple[str, str] | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    language: str | None = None,
) -> Mailing:
    """Queue one personal copy of an announcement for every recipient: `recipients`, a select of
    (subscription id, address, name), else the list's own (every confirmed subscriber, as the
    subscriptions feature says through delivery.hooks). `language`: the text's, sent as
    Content-Language (an announcement in several languages is one mailing per language).

    One set-based INSERT … SELECT, whatever the number of subscribers; the body is stored once
    and each copy differs only in its recipient and unsubscribe link (UNSUBSCRIBE_URL marks
    where it goes). Raises UnsafeHeaderValue for a subject or Reply-To that would break a header,
    AlreadyQueued when an announcement with this purpose was queued before.
    """
    check_header_value(subject, "subject")
    if reply_to:
        check_reply_to(reply_to)
    if archived_at:
        check_header_value(archived_at, "archive link")
    if db.session.scalar(
        sa.select(Mailing.id).where(
            Mailing.purpose == purpose, Mailing.kind == MailingKind.ANNOUNCEMENT.value
        )
    ):
        raise AlreadyQueued(f"{purpose} has already been queued")
    mailing = Mailing(
        list_id=mailing_list.id,
        kind=MailingKind.ANNOUNCEMENT,
        purpose=purpose,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        reply_to=reply_to,
        archived_at=archived_at,
        personal_unsubscribe=True,
        # A post to a discussion list: (name, address) of its From, its threading headers.
        from_name=sender[0] if sender else None,
        from_address=sender[1] if sender else None,
        in_reply_to=in_reply_to,
        references=references,
        language=language,
    )
    db.session.add(mailing)
    _attach(mailing, attachments)
    db.session.flush()
    now = utcnow()
    # No Message-ID: the worker makes each copy's from its id when it sends it and stores it
    # with the result (CopyTemplate.message_id), so queueing writes no string and no index
    # entry for it per copy.
    if recipients is None:
        recipients = current_hooks().recipients(mailing_list.id)
    enqueue_copies(mailing.id, recipients, now)
    return mailing


def create_bulk_notice(*, mailing_list: MailingList, purpose: str, subject: str, text_body: str,
                       html_body: str | None,
                       attachments: list[Attachment] | None = None,
                       language: str | None = None) -> Mailing:
    """A notice rendered once for many people (an import's confirmation requests), in
    `language` (its Content-Language; render_mail takes the same); its copies come from
    enqueue_copies. Raises UnsafeHeaderValue for a subject that would break a header."""
    check_header_value(subject, "subject")
    mailing = Mailing(list_id=mailing_list.id, kind=MailingKind.NOTICE, purpose=purpose,
                      subject=subject, text_body=text_body, html_body=html_body,
                      language=language)
    db.session.add(mailing)
    _attach(mailing, attachments)
    db.session.flush()
    return mailing


def enqueue_copies(mailing_id: int, recipients: sa.Select, now: datetime) -> None:
    """One outbox row per row of `recipients`, a select of (subscription id, address, name):
    one INSERT … SELECT, whatever their number."""
    rows = recipients.add_columns(
        sa.literal(mailing_id),
        sa.literal(OutboxStatus.QUEUED.value),
        sa.literal(0),
        sa.literal(now, UTCDateTime),
        sa.literal(now, UTCDateTime),
    )
    db.session.execute(
        sa.insert(OutboxEntry).from_select(
            ["subscription_id", "recipient", "recipient_name", "mailing_id", "status",
             "attempts", "next_attempt_at", "created_at"],
            rows,
        )
    )


class CopyRecord(NamedTuple):
    subject: str
    status: str
    sent_at: datetime | None
    message_id: str | None


def copies_for(subscription_ids: list[int]) -> list[CopyRecord]:
    """Every copy queued for these subscriptions, oldest first (a person's data export)."""
    if not subscription_ids:
        return []
    return [CopyRecord(*row) for row in db.session.execute(
        sa.select(Mailing.subject, OutboxEntry.status, OutboxEntry.sent_at, OutboxEntry.message_id)
        .join(Mailing, Mailing.id == OutboxEntry.mailing_id)
        .where(OutboxEntry.subscription_id.in_(subscription_ids))
        .order_by(OutboxEntry.id)
    )]


def forget_recipient(email_key: str, subscription_ids: list[int]) -> None:
    """Erasure: unsent copies to this person are dropped; sent ones keep their delivery
    record without the address."""
    if subscription_ids:
        db.session.execute(
            sa.delete(OutboxEntry).where(
                OutboxEntry.subscription_id.in_(subscription_ids),
                OutboxEntry.status.in_([OutboxStatus.QUEUED, OutboxStatus.RETRYING]),
            )
        )
    db.session.execute(
        sa.update(OutboxEntry)
        .where(sa.func.lower(OutboxEntry.recipient) == email_key)
        .values(recipient=sa.literal("erased-") + sa.cast(OutboxEntry.id, sa.String),
                recipient_name="",
                subscription_id=None)
        .execution_options(synchronize_session=False)
    )


def enqueue_confirmation_requests(*, mailing_list: MailingList, purpose: str, subject: str,
                                  text_body: str, html_body: str | None,
                                  copies: list[tuple[int, str, str]],
                                  language: str | None = None) -> int:
    """Queue confirmation requests in bulk: ONE mailing (bodies marking CONFIRM_URL), and a
    copy for each (subscription id, address, name), whose link and Reply-To the worker fills
    in from delivery.hooks confirm_links. Return the mailing's id. Addresses and names must
    have been checked by the caller."""
    check_header_value(subject, "subject")
    mailing = Mailing(list_id=mailing_list.id, kind=MailingKind.NOTICE, purpose=purpose,
                      subject=subject, text_body=text_body, html_body=html_body,
                      reply_to=CONFIRM_REPLY_TO, language=language)
    db.session.add(mailing)
    db.session.flush()
    now = utcnow()
    insert_many(OutboxEntry.__table__, [{
        "mailing_id": mailing.id, "subscription_id": subscription_id, "recipient": address,
        "recipient_name": name, "status": OutboxStatus.QUEUED.value, "attempts": 0,
        "next_attempt_at": now, "created_at": now,
    } for subscription_id, address, name in copies])
    return mailing.id
