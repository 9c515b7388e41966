"""Turns a mailing and one outbox entry into the exact bytes sent to that one recipient."""

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid

from flask import current_app

from listserve.dbtypes import utcnow
from listserve.delivery.models import Mailing, MailingKind, OutboxEntry
from listserve.delivery.outbox import UNSUBSCRIBE_URL
from listserve.headers import check_header_value
from listserve.subscriptions.models import MailingList
from listserve.tokens import make_lasting_token
from listserve.urls import external_url


def unsubscribe_url(subscription_id: int) -> str:
    token = make_lasting_token("unsubscribe", [subscription_id])
    return external_url("subscriptions.unsubscribe", token=token)


def bounce_address(mailing_list: MailingList, entry: OutboxEntry) -> str:
    """The envelope sender (VERP): bounces name the copy, and so the subscriber, they are about."""
    return f"{mailing_list.slug}-bounces+{entry.id}@{mailing_list.domain}"


def assign_message_id(entry: OutboxEntry, mailing_list: MailingList) -> str:
    """A Message-ID on the list's domain, kept across retries of the same copy."""
    if not entry.message_id:
        entry.message_id = make_msgid(idstring=f"{entry.mailing_id}.{entry.id}",
                                      domain=mailing_list.domain)
    return entry.message_id


def build_copy(mailing: Mailing, entry: OutboxEntry, mailing_list: MailingList) -> bytes:
    """The message for entry.recipient alone, with CRLF line endings, ready for SMTP."""
    personal_url = (
        unsubscribe_url(entry.subscription_id)
        if mailing.personal_unsubscribe and entry.subscription_id
        else None
    )
    msg = EmailMessage(policy=SMTP)
    msg["From"] = formataddr((mailing_list.name, mailing_list.address))
    msg["To"] = formataddr((check_header_value(entry.recipient_name, "name"), entry.recipient))
    msg["Subject"] = check_header_value(mailing.subject, "subject")
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = assign_message_id(entry, mailing_list)
    if mailing.reply_to:
        msg["Reply-To"] = check_header_value(mailing.reply_to, "reply-to")
    if mailing.kind == MailingKind.ANNOUNCEMENT:
        _add_list_headers(msg, mailing, mailing_list)
    else:
        # Notices that answer a mail (purpose "reply.…") are auto-replied (RFC 3834).
        replied = mailing.purpose.startswith("reply.")
        msg["Auto-Submitted"] = "auto-replied" if replied else "auto-generated"
    if personal_url:
        msg["List-Unsubscribe"] = f"<{personal_url}>, <{_leave_mailto(mailing_list)}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    swap = personal_url or ""
    msg.set_content(mailing.text_body.replace(UNSUBSCRIBE_URL, swap))
    if mailing.html_body:
        msg.add_alternative(mailing.html_body.replace(UNSUBSCRIBE_URL, swap), subtype="html")
    return msg.as_bytes()


def _add_list_headers(msg: EmailMessage, mailing: Mailing, mailing_list: MailingList) -> None:
    msg["List-Id"] = f"{mailing_list.name} <{mailing_list.list_id}>"
    msg["List-Archive"] = f"<{external_url('public.home')}>"
    if mailing.archived_at:
        msg["Archived-At"] = f"<{mailing.archived_at}>"
    if mailing_list.announce_only:
        msg["List-Post"] = "NO"
    msg["List-Help"] = f"<mailto:{mailing_list.slug}-request@{mailing_list.domain}?subject=help>"
    msg["Precedence"] = "list"


def _leave_mailto(mailing_list: MailingList) -> str:
    return f"mailto:{mailing_list.slug}-leave@{mailing_list.domain}?subject=unsubscribe"


def envelope_sender(mailing_list: MailingList, entry: OutboxEntry) -> str:
    return bounce_address(mailing_list, entry)


def default_sender() -> str:
    return current_app.config["MAIL_DEFAULT_SENDER"]
