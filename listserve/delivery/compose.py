"""Turns a mailing into the exact bytes each recipient gets.

A mailing is rendered to MIME once (a CopyTemplate); each copy then only fills in its To,
Date, Message-ID and unsubscribe link, by joining bytes. Bodies are quoted-printable with
the unsubscribe placeholder kept on a line of its own between soft line breaks, so putting
a link there never breaks the encoding, and non-ASCII text stays 7-bit clean (safe for DKIM
across relays that would re-encode 8-bit mail).
"""

import functools
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import quoprimime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import escape

from listserve.core.db import utcnow
from listserve.core.headers import check_header_value, is_header_safe
from listserve.core.lists import MailingList
from listserve.core.urls import external_url
from listserve.delivery.address_fields import (
    UnwritableAddress,
    fold,
    mailbox_field,
    phrase_words,
    reply_to_field,
)
from listserve.delivery.models import Mailing, MailingAttachment, MailingKind
from listserve.delivery.outbox import CONFIRM_REPLY_TO, CONFIRM_URL, UNSUBSCRIBE_URL
from listserve.delivery.transport import dot_stuffed
from listserve.delivery.verp import bounce_address, copy_message_id_tail, opaque_id
from listserve.extensions import db

SLOT = UNSUBSCRIBE_URL.encode("ascii")
QP_SLOT = b"=\r\n" + SLOT + b"=\r\n"  # the placeholder on its own line in a QP body
BLANK_LINE = b"\r\n\r\n"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class UnsendableCopy(ValueError):
    """This one copy cannot be composed (an address or name that would break a header)."""


class Copy(NamedTuple):
    """What a worker knows about one recipient's copy (a claimed outbox row). A named tuple,
    not a frozen dataclass: the worker makes one per copy, and it costs a fifth as much."""

    id: int
    mailing_id: int
    subscription_id: int | None
    recipient: str
    recipient_name: str
    message_id: str | None
    attempts: int


@dataclass
class CopyTemplate:
    """A mailing rendered once: shared header bytes and body pieces around the link slots."""

    mailing_id: int
    domain: str
    top: bytes  # From, Subject, Reply-To
    rest: bytes  # list headers, MIME headers
    body_pieces: list[bytes]
    leave_mailto: bytes | None  # set when copies carry a personal List-Unsubscribe
    unsubscribe_prefix: str  # the unsubscribe URL up to the token
    # Bulk confirmation requests (an admin import): the link slots hold each copy's own
    # confirmation link instead of an unsubscribe link.
    confirm_link: bool = False
    # Each copy's own Reply-To (the address that confirms by reply), not the mailing's.
    personal_reply_to: bool = False
    # What follows a copy's opaque id in the Message-ID made for it (see message_id).
    message_id_tail: str = ""

    def message_id(self, opaque: str) -> str:
        """The Message-ID of a copy queued without one (an announcement copy, a bulk
        confirmation request), from its opaque_id: made again the same on a retry.

        <opaque.m<mailing>.<when the mailing was made>@<list domain>>. Outbox ids never
        repeat (a sequence on PostgreSQL, AUTOINCREMENT on SQLite since migration 0010), so
        the opaque id alone would do; the mailing and its creation time keep Message-IDs
        unique even where ids were handed out again (SQLite before 0010 reused the id of a
        deleted newest row; a mailing deleted by hand frees its id on SQLite still).
        """
        return f"<{opaque}{self.message_id_tail}>"

    def personalise(self, copy: Copy, token: str | None, key,
                    stuffed: bool = False, link: str | None = None,
                    opaque: str | None = None, reply_to: str | None = None) -> bytes:
        """The complete message for copy.recipient; raises UnsendableCopy.

        `stuffed`: with SMTP's leading dots already doubled, from pieces stuffed once.
        `link`: what goes in the link slots when it is not the unsubscribe link.
        `opaque`: the copy's opaque_id, when the caller has made it already.
        `reply_to`: the copy's own Reply-To address (personal_reply_to), if it has one.
        """
        to = _to_header(copy.recipient_name, copy.recipient)
        if reply_to and self.personal_reply_to:
            to = _reply_to_header(reply_to) + to
        message_id = copy.message_id or (
            self.message_id(opaque or opaque_id(copy.id, key))
        )
        head = [self.top, to, b"Date: ", _date_now(), b"\r\nMessage-ID: ",
                message_id.encode("ascii"), b"\r\n"]
        url = link or ""
        if self.leave_mailto is not None and token:
            url = self.unsubscribe_prefix + token
            head += [b"List-Unsubscribe: <", url.encode("ascii"), b">,\r\n <",
                     self.leave_mailto, b">\r\n"]
        head.append(self.rest)
        pieces = self.wire_pieces if stuffed else self.body_pieces
        slot = _qp_url(url)
        head.append(pieces[0])
        for piece in pieces[1:]:  # one join: the 8 kB body is copied once, not twice
            head += (slot, piece)
        return b"".join(head)

    @functools.cached_property
    def wire_pieces(self) -> list[bytes]:
        # Each piece starts at a line start (the body, or "=\r\n" after a link slot), so
        # stuffing them one by one equals stuffing every copy; header lines never start with
        # a dot and the link starts with its scheme.
        return [dot_stuffed(piece) for piece in self.body_pieces]


def render_copy_template(mailing: Mailing, mailing_list: MailingList) -> CopyTemplate:
    """Render a mailing once; raises UnsafeHeaderValue for a subject or Reply-To with a break."""
    personal = bool(mailing.personal_unsubscribe)
    text, html = mailing.text_body, mailing.html_body
    confirm_link = CONFIRM_URL in text
    if confirm_link:  # one kind of slot: the bodies mark it as they mark unsubscribe links
        text = text.replace(CONFIRM_URL, UNSUBSCRIBE_URL)
        html = html and html.replace(CONFIRM_URL, UNSUBSCRIBE_URL)
    if mailing.kind == MailingKind.ANNOUNCEMENT:
        text, html = _with_visible_unsubscribe_link(text, html)
    list_name = check_header_value(mailing_list.name, "list name")
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = check_header_value(mailing.subject, "subject")
    if mailing.from_address:  # a post: its poster (or "Name via List", see inbound.dmarc)
        sender_name = check_header_value(mailing.from_name or "", "sender name")
        sender_address = check_header_value(mailing.from_address, "sender address")
    else:
        sender_name = check_header_value(mailing_list.sender_name, "sender name")
        sender_address = mailing_list.sender_address
    top = [mailbox_field("From", sender_name, sender_address),
           msg.as_bytes().split(BLANK_LINE)[0] + b"\r\n"]
    personal_reply_to = mailing.reply_to == CONFIRM_REPLY_TO
    if mailing.reply_to and not personal_reply_to:
        top.append(reply_to_field(mailing.reply_to))
    msg = EmailMessage(policy=SMTP)
    if mailing.kind == MailingKind.ANNOUNCEMENT:
        top.append(fold("List-Id", [*phrase_words(list_name), f"<{mailing_list.list_id}>"]))
        _add_list_headers(msg, mailing, mailing_list)
    else:
        # Notices that answer a mail (purpose "reply.…") are auto-replied (RFC 3834).
        replied = mailing.purpose.startswith("reply.")
        msg["Auto-Submitted"] = "auto-replied" if replied else "auto-generated"
    if personal:
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    _set_bodies(msg, text, html)
    _add_attachments(msg, mailing)
    if mailing.language:  # RFC 3282; after the bodies, whose setting drops Content-* fields
        msg["Content-Language"] = check_header_value(mailing.language, "language")
    rest = msg.as_bytes()
    split_at = rest.index(BLANK_LINE) + len(BLANK_LINE)
    headers, body = rest[:split_at], rest[split_at:]
    return CopyTemplate(
        mailing_id=mailing.id,
        domain=mailing_list.domain,
        top=b"".join(top),
        rest=headers,
        body_pieces=body.split(QP_SLOT),
        leave_mailto=_leave_mailto(mailing_list).encode("ascii") if personal else None,
        unsubscribe_prefix=external_url("subscriptions.unsubscribe", token="T")[:-1],  # noqa: S106
        confirm_link=confirm_link,
        personal_reply_to=personal_reply_to,
        message_id_tail=copy_message_id_tail(mailing.id, _stamp(mailing.created_at),
                                             mailing_list.domain),
    )


def _stamp(created_at: datetime | None) -> str:
    """A mailing's creation time, in microseconds since 1970 in hex, after a dot."""
    if created_at is None:  # not stored (a preview)
        return ""
    return f".{(created_at - _EPOCH) // timedelta(microseconds=1):x}"


def _set_bodies(msg: EmailMessage, text: str, html: str | None) -> None:
    msg.set_content(_qp_with_slots(text), subtype="plain", cte="7bit")
    if html:
        msg.add_alternative(_qp_with_slots(html), subtype="html", cte="7bit")
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]
        if not part.is_multipart():
            part.set_param("charset", "utf-8")
            part.replace_header("Content-Transfer-Encoding", "quoted-printable")


def _add_attachments(msg: EmailMessage, mailing: Mailing) -> None:
    """Files the mailing carries, in their transfer encoding (base64 unless said otherwise)."""
    if mailing.id is None:  # a preview: nothing stored yet
        return
    for attachment in db.session.scalars(
        sa.select(MailingAttachment).filter_by(mailing_id=mailing.id).order_by(MailingAttachment.id)
    ):
        main, _slash, rest = attachment.content_type.partition("/")
        subtype, *params = (p.strip() for p in rest.split(";"))
        msg.add_attachment(attachment.content, maintype=main, subtype=subtype,
                           filename=attachment.filename,
                           cte=_transfer_encoding(attachment.content,
                                                  attachment.transfer_encoding),
                           params=dict(p.split("=", 1) for p in params if "=" in p))
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]


def _transfer_encoding(content: bytes, wanted: str | None) -> str:
    """The encoding asked for when it is safe, else base64: 7bit only for ASCII in lines SMTP
    takes (998 octets), and never one that would leave a link slot's marker readable in the
    body (the copy would carry the reader's own link there)."""
    if wanted not in ("quoted-printable", "7bit") or SLOT in content:
        return "base64"
    if wanted == "7bit" and not (content.isascii() and b"\0" not in content and all(
            len(line) <= 998 for line in content.splitlines())):
        return "base64"
    return wanted


def _qp_with_slots(text: str) -> str:
    """Quoted-printable text whose placeholders sit alone between soft line breaks."""
    segments = text.replace("\r\n", "\n").split(UNSUBSCRIBE_URL)
    encoded = [quoprimime.body_encode(s.encode("utf-8").decode("latin-1"), 75) for s in segments]
    return ("=\n" + UNSUBSCRIBE_URL + "=\n").join(encoded)


def _qp_url(url: str) -> bytes:
    """The link as it goes between two soft line breaks: '=' escaped, lines under 76."""
    if url.isascii() and len(url) < 75 and "=" not in url:
        return b"=\r\n" + url.encode("ascii") + b"=\r\n"
    quoted = quoprimime.body_encode(url.encode("utf-8").decode("latin-1"), 75)
    return b"=\r\n" + quoted.replace("\n", "\r\n").encode("ascii") + b"=\r\n"


def _with_visible_unsubscribe_link(text: str, html: str | None) -> tuple[str, str | None]:
    """Every announcement shows its unsubscribe link in both parts, whoever wrote the body."""
    if UNSUBSCRIBE_URL not in text:
        leave = _("Leave this list: %(url)s", url=UNSUBSCRIBE_URL)
        text = f"{text.rstrip()}\n\n--\n{leave}\n"
    if html and UNSUBSCRIBE_URL not in html:
        label = escape(_("Leave this list"))
        footer = f'<p><a href="{UNSUBSCRIBE_URL}">{label}</a></p>'
        if "</body>" in html:
            html = html.replace("</body>", footer + "</body>", 1)
        else:
            html = html + footer
    return text, html


def _add_list_headers(msg: EmailMessage, mailing: Mailing, mailing_list: MailingList) -> None:
    msg["List-Archive"] = f"<{external_url('archive.index')}>"  # RFC 2369: the list's archive
    if mailing.archived_at:
        msg["Archived-At"] = f"<{check_header_value(mailing.archived_at, 'archive link')}>"
    if mailing_list.announce_only:
        msg["List-Post"] = "NO"
    else:
        msg["List-Post"] = f"<mailto:{mailing_list.address}>"
        # Our own copies coming back (a subscriber's forward, an alias) are not posted again.
        msg["X-Loop"] = mailing_list.address
    if mailing.in_reply_to:
        msg["In-Reply-To"] = check_header_value(mailing.in_reply_to, "In-Reply-To")
    if mailing.references:
        msg["References"] = check_header_value(mailing.references, "References")
    msg["List-Help"] = f"<mailto:{mailing_list.slug}-request@{mailing_list.domain}?subject=help>"
    msg["Precedence"] = "list"


def _to_header(name: str, address: str) -> bytes:
    if not (is_header_safe(address) and address.isascii() and "@" in address):
        raise UnsendableCopy("550 5.1.3 recipient address cannot be used in a header")
    try:
        return mailbox_field("To", name or "", address)
    except UnwritableAddress:
        raise UnsendableCopy("553 5.1.3 recipient address is not a plain address") from None


def _reply_to_header(address: str) -> bytes:
    if not (is_header_safe(address) and address.isascii() and "@" in address):
        raise UnsendableCopy("554 5.6.0 its reply address cannot be used in a header")
    try:
        return mailbox_field("Reply-To", "", address)
    except UnwritableAddress:
        raise UnsendableCopy("554 5.6.0 its reply address is not a plain address") from None


_date_cache: list = [None, b""]


def _date_now() -> bytes:
    """RFC 5322 date, formatted at most once a second (copies go out thousands a second)."""
    second = int(time.time())
    if _date_cache[0] != second:
        _date_cache[:] = [second, format_datetime(utcnow()).encode("ascii")]
    return _date_cache[1]


def _leave_mailto(mailing_list: MailingList) -> str:
    return f"mailto:{mailing_list.slug}-leave@{mailing_list.domain}?subject=unsubscribe"


def envelope_sender(domain: str, entry_id: int, key=None, opaque: str | None = None) -> str:
    """The VERP envelope sender: bounces+<opaque>@<list domain>."""
    return bounce_address(domain, entry_id, key, opaque)


def new_message_id(domain: str) -> str:
    return make_msgid(domain=domain)
