"""The SMTP session (through Flask-Mail's configuration) or, with no mail server configured,
the local mailbox. This module and the worker are the only code that speaks SMTP."""

import mailbox
import smtplib
import ssl
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_mail import Connection


@dataclass(frozen=True)
class SendResult:
    code: int  # the SMTP reply code; 250 for the local mailbox
    reply: str

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
    def __init__(self):
        self.connection = VerifiedConnection(current_app.extensions["mail"])
        self.host: smtplib.SMTP | None = None

    def __enter__(self):
        self.host = self.connection.configure_host()
        return self

    def __exit__(self, *exc):
        if self.host is not None:
            try:
                self.host.quit()
            except (smtplib.SMTPException, OSError):
                self.host.close()

    def send(self, envelope_from: str, recipient: str, data: bytes) -> SendResult:
        """Send one copy; SMTP errors for this recipient come back as a result, not raised.

        A dropped connection raises (OSError / SMTPServerDisconnected): the caller decides
        whether to reconnect.
        """
        try:
            self.host.sendmail(envelope_from, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = exc.recipients[recipient]
            return SendResult(code, _text(reply))
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            return SendResult(exc.smtp_code, _text(exc.smtp_error))
        return SendResult(250, "OK")


class MailboxTransport:
    """Keeps mail in a Maildir so a newcomer can finish the opt-in loop with no mail server."""

    def __init__(self):
        self.path = Path(current_app.config["MAILBOX_DIR"])

    def __enter__(self):
        self.box = mailbox.Maildir(self.path, create=True)
        return self

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

