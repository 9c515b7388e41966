"""The SMTP session (through Flask-Mail's configuration) or, with no mail server configured,
the local mailbox. This module and the worker are the only code that speaks SMTP."""

import mailbox
import re
import smtplib
import ssl
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_mail import Connection

from listserve.headers import is_header_safe


@dataclass(frozen=True)
class SendResult:
    code: int  # the SMTP reply code; 250 for the local mailbox
    reply: str
    local: bool = False  # refused by us before any server saw it (not a bounce)

    @property
    def delivered(self) -> bool:
        return 200 <= self.code < 300

    @property
    def permanent(self) -> bool:
        return self.code >= 500


class VerifiedConnection(Connection):
    """Flask-Mail's connection with what it lacks: a timeout and certificate verification."""

    def configure_host(self):
        cfg = current_app.config
        timeout = cfg["MAIL_TIMEOUT"]
        context = ssl.create_default_context()
        if not cfg["MAIL_VERIFY_TLS"]:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout,
                                    context=context)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls(context=context)
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


class SMTPTransport:
    """One SMTP session (Flask-Mail's settings, our timeout and TLS checks), reopened when the
    server drops it. With PIPELINING, MAIL, RCPT and DATA go out in one write (RFC 2920)."""

    def __init__(self):
        self.connection = VerifiedConnection(current_app.extensions["mail"])
        self.pipelining_allowed = current_app.config.get("MAIL_PIPELINING", True)
        self.host: smtplib.SMTP | None = None
        self.pipelining = False

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()

    def open(self) -> None:
        self.host = self.connection.configure_host()
        self.host.ehlo_or_helo_if_needed()
        self.pipelining = self.pipelining_allowed and self.host.has_extn("pipelining")

    def close(self) -> None:
        if self.host is not None:
            try:
                self.host.quit()
            except (smtplib.SMTPException, OSError):
                self.host.close()
            self.host = None

    def reopen(self) -> None:
        """After a dropped connection: close what is left and connect again (may raise)."""
        if self.host is not None:
            self.host.close()
            self.host = None
        self.open()

    def send(self, envelope_from: str, recipient: str, data: bytes) -> SendResult:
        """Send one copy (CRLF line endings); the server's refusal comes back as a result.

        A dropped connection raises (OSError / SMTPServerDisconnected): the caller decides
        whether to reconnect.
        """
        if not (is_header_safe(envelope_from) and is_header_safe(recipient)):
            return SendResult(553, "5.1.3 address with a line break refused before sending",
                              local=True)
        if not self.pipelining:
            return self._send_plain(envelope_from, recipient, data)
        host = self.host
        host.send(f"MAIL FROM:<{envelope_from}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n".encode())
        replies = [host.getreply(), host.getreply(), host.getreply()]
        mail_reply, rcpt_reply, data_reply = replies
        if data_reply[0] == 354 and mail_reply[0] == 250 and rcpt_reply[0] in (250, 251):
            host.send(dot_stuffed(data) + b".\r\n")
            code, reply = host.getreply()
            return SendResult(code, _text(reply))
        if data_reply[0] == 354:  # the server took DATA without a recipient: end it empty
            host.send(b".\r\n")
            host.getreply()
        host.rset()
        code, reply = next((r for r in replies if r[0] >= 400), data_reply)
        return SendResult(code, _text(reply))

    def _send_plain(self, envelope_from: str, recipient: str, data: bytes) -> SendResult:
        try:
            self.host.sendmail(envelope_from, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = exc.recipients[recipient]
            return SendResult(code, _text(reply))
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            return SendResult(exc.smtp_code, _text(exc.smtp_error))
        return SendResult(250, "OK")


def dot_stuffed(data: bytes) -> bytes:
    """RFC 5321 transparency: a line starting with '.' gets another '.' (checked cheaply)."""
    if data.startswith(b".") or b"\n." in data:
        return re.sub(rb"(?m)^\.", b"..", data)
    return data


class MailboxTransport:
    """Keeps mail in a Maildir so a newcomer can finish the opt-in loop with no mail server."""

    def __init__(self):
        self.path = Path(current_app.config["MAILBOX_DIR"])

    pipelining = False

    def __enter__(self):
        self.box = mailbox.Maildir(self.path, create=True)
        return self

    def reopen(self) -> None:
        pass

    def __exit__(self, *exc):
        self.box.close()

    def send(self, envelope_from: str, recipient: str, data: bytes) -> SendResult:
        self.box.add(data)
        return SendResult(250, f"kept in {self.path}")


def open_transport():
    if current_app.config.get("MAIL_SERVER"):
        return SMTPTransport()
    return MailboxTransport()


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)

