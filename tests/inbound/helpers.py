"""Sending test mail to the receiver over a real socket, the way Postfix's LMTP client does."""

import smtplib
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid

import sqlalchemy as sa

from listserve.extensions import db
from listserve.inbound.models import InboundMessage

DOMAIN = "lists.example.org"
JOIN = f"announcements-join@{DOMAIN}"
LEAVE = f"announcements-leave@{DOMAIN}"
REQUEST = f"announcements-request@{DOMAIN}"
LIST_ADDRESS = f"announcements@{DOMAIN}"


def mail(sender: str, to: str, subject: str = "", body: str = "", **headers) -> bytes:
    """A message as a mail client writes it, with CRLF line endings."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="example.net")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body or "\n")
    return msg.as_bytes()


def lmtp_send(port: int, mail_from: str, recipients: list[str] | str, data: bytes) -> dict:
    """Send over LMTP; return {recipient: (code, text)} for every recipient, as refused at
    RCPT time or answered after DATA (one reply per accepted recipient)."""
    recipients = [recipients] if isinstance(recipients, str) else recipients
    replies: dict[str, tuple[int, bytes]] = {}
    with smtplib.LMTP("127.0.0.1", port) as client:
        client.ehlo()
        client.mail(mail_from)
        accepted = []
        for recipient in recipients:
            code, text = client.rcpt(recipient)
            if code == 250:
                accepted.append(recipient)
            else:
                replies[recipient] = (code, text)
        if accepted:
            try:
                replies[accepted[0]] = client.data(data)
            except smtplib.SMTPDataError as exc:
                replies[accepted[0]] = (exc.smtp_code, exc.smtp_error)
            for recipient in accepted[1:]:
                replies[recipient] = client.getreply()
    return replies


def send(port: int, sender: str, to: str, data: bytes) -> int:
    """Send one message to one recipient; return the reply code."""
    return lmtp_send(port, sender, to, data)[to][0]


def inbound_rows(app) -> list[InboundMessage]:
    with app.app_context():
        rows = db.session.scalars(sa.select(InboundMessage).order_by(InboundMessage.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows
