"""An accepted post: kept in the list's archive, threaded, and queued for every subscriber
who takes each message (the announcements' engine: one personal copy each, by the outbox).

Its attachments are listed in the archive whatever the list's policy; the copies carry them
(each part's type, name and transfer encoding kept) unless the policy is "strip", which leaves
them out with a note in the text. Under "hold", a moderator approved the post as it is, so its
copies carry them too."""

import email
import re
from email import policy

from flask_babel import gettext as _

from listserve.archive.message_text import Attachment, archive_html, read_post
from listserve.archive.models import Post
from listserve.archive.services import post_url
from listserve.archive.threads import archive_message
from listserve.core.lists import AttachmentPolicy, MailingList, ReplyToPolicy
from listserve.delivery.outbox import CONFIRM_URL, UNSUBSCRIBE_URL, enqueue_announcement
from listserve.delivery.outbox import Attachment as MailAttachment
from listserve.inbound.dmarc import list_sender
from listserve.inbound.message import clean_header, read_message


def list_subject(subject: str, mailing_list: MailingList) -> str:
    """The subject with the list's prefix once, wherever a "Re:" put it."""
    subject = " ".join((subject or "(no subject)").split())
    prefix = mailing_list.subject_prefix.strip()
    if not prefix or prefix.lower() in subject.lower():
        return subject
    return f"{prefix} {subject}"


def distribute_post(raw: bytes, mailing_list: MailingList) -> Post:
    """Archive the post and queue its copies (flushes, never commits)."""
    incoming = read_message(raw, "", set())
    content = read_post(raw)
    msg = email.message_from_bytes(raw, policy=policy.compat32)
    subject = incoming.subject or "(no subject)"
    post = archive_message(
        list_id=mailing_list.id, subject=subject, text=content.text,
        html=archive_html(content.text, content.attachments),
        author_name=incoming.sender_name, author_email=incoming.sender,
        message_id=incoming.message_id, references=incoming.references,
    )
    from_name, from_address, reply_to = list_sender(
        incoming.sender_name, incoming.sender, mailing_list.name, mailing_list.address)
    if reply_to is None and mailing_list.reply_to_policy == ReplyToPolicy.LIST:
        reply_to = mailing_list.address
    text, attachments = _without_link_slots(content.text), []
    if mailing_list.attachment_policy == AttachmentPolicy.STRIP and content.attachments:
        names = ", ".join(a.filename for a in content.attachments)
        text += "\n" + _("[Attachments removed by the list, listed in the archive: %(names)s]",
                         names=names) + "\n"
    else:
        attachments = [mail_attachment(a) for a in content.attachments]
    if mailing_list.footer.strip():
        text += f"\n-- \n{mailing_list.footer.strip()}\n"
    in_reply_to = clean_header(msg.get("In-Reply-To", "")).strip()[:250] or None
    references = " ".join(clean_header(msg.get("References", "")).split())[:4000] or None
    mailing = enqueue_announcement(
        mailing_list=mailing_list, purpose=f"post:{post.id}",
        subject=list_subject(subject, mailing_list), text_body=text, html_body=None,
        reply_to=reply_to, archived_at=post_url(post),
        sender=(from_name, from_address), in_reply_to=in_reply_to, references=references,
        attachments=attachments,
    )
    post.mailing_id = mailing.id
    return post


def _without_link_slots(text: str) -> str:
    """The poster's text with the outbox's link markers made plain words: written by a poster,
    each would put every reader's own unsubscribe (or confirmation) link in their copy, for
    anyone they quote it to."""
    for marker in (UNSUBSCRIBE_URL, CONFIRM_URL):
        text = text.replace(marker, marker.strip("%"))
    return text


MIME_TYPE_RE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,40}/[a-z0-9][a-z0-9!#$&^_.+-]{0,40}")
CHARSET_RE = re.compile(r"[a-z0-9][a-z0-9_.:+-]{0,30}")


def mail_attachment(attachment: Attachment) -> MailAttachment:
    """A poster's attachment as the copies carry it: a name and type that cannot break a header
    (the poster's own when they are sound), the content and its transfer encoding kept."""
    content_type = attachment.content_type.lower()
    if not MIME_TYPE_RE.fullmatch(content_type):
        content_type = "application/octet-stream"
    if attachment.charset and CHARSET_RE.fullmatch(attachment.charset):
        content_type += f"; charset={attachment.charset}"
    name = " ".join("".join(ch for ch in attachment.filename if ch.isprintable()).split())
    return MailAttachment(name[:200] or "attachment", content_type, attachment.content,
                          attachment.transfer_encoding or None)
