"""The SMTP session (through Flask-Mail's configuration) or, with no mail server configured,
the local mailbox. This module and the worker are the only code that speaks SMTP."""

import functools
import mailbox
import re
import smtplib
import socket
import ssl
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from flask_mail import Connection

from listserve.core.headers import is_header_safe

MAX_LINE = 8192  # the longest reply line read, as smtplib


class SendResult(NamedTuple):  # one per copy: a named tuple is the cheapest to make
    code: int  # the SMTP reply code; 250 for the local mailbox
    reply: str
    local: bool = False  # refused by us before any server saw it (not a bounce)

    @property
    def delivered(self) -> bool:
        return 200 <= self.code < 300

    @property
    def permanent(self) -> bool:
        return self.code >= 500


@functools.cache
def local_hostname() -> str:
    """The EHLO name, looked up once: smtplib would ask the resolver on every connection."""
    return current_app.config.get("MAIL_LOCAL_HOSTNAME") or socket.getfqdn()


@functools.cache
def tls_context(verify: bool) -> ssl.SSLContext:
    """Certificates and host names checked (unless MAIL_VERIFY_TLS is off); made once, since
    loading the system's CA store takes tens of milliseconds."""
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class VerifiedConnection(Connection):
    """Flask-Mail's connection with what it lacks: a timeout and certificate verification."""

    def configure_host(self):
        cfg = current_app.config
        timeout = cfg["MAIL_TIMEOUT"]
        context = None
        if self.mail.use_ssl or self.mail.use_tls:
            context = tls_context(bool(cfg["MAIL_VERIFY_TLS"]))
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout,
                                    context=context, local_hostname=local_hostname())
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout,
                                local_hostname=local_hostname())
        if self.mail.use_tls:
            host.starttls(context=context)
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


class SMTPTransport:
    """One SMTP session (Flask-Mail's settings, our timeout and TLS checks), reopened when the
    server drops it. With PIPELINING (RFC 2920), MAIL, RCPT and DATA go out in one write, and
    a copy's content goes out in the same write as the next copy's MAIL, RCPT and DATA: one
    round trip per copy."""

    def __init__(self):
        self.connection = VerifiedConnection(current_app.extensions["mail"])
        self.pipelining_allowed = current_app.config.get("MAIL_PIPELINING", True)
        self.host: smtplib.SMTP | None = None
        self.pipelining = False
        self.announced: tuple[str, str] | None = None  # envelope sent, replies not yet read

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()

    def open(self) -> None:
        self.announced = None
        self.host = self.connection.configure_host()
        self.host.ehlo_or_helo_if_needed()
        self.pipelining = self.pipelining_allowed and self.host.has_extn("pipelining")

    def close(self) -> None:
        if self.host is not None:
            if self.announced is not None:
                # The server may be waiting for content we will not send: a QUIT would
                # become part of a message. Hang up instead; it discards the transaction.
                self.host.close()
            else:
                try:
                    self.host.quit()
                except (smtplib.SMTPException, OSError):
                    self.host.close()
            self.host = None
        self.announced = None

    def reopen(self) -> None:
        """After a dropped connection: close what is left and connect again (may raise)."""
        if self.host is not None:
            self.host.close()
            self.host = None
        self.open()

    def send(self, envelope_from: str, recipient: str, data: bytes, stuffed: bool = False,
             then: tuple[str, str] | None = None) -> SendResult:
        """Send one copy (CRLF line endings; `stuffed`: its leading dots already doubled);
        the server's refusal comes back as a result.

        `then`: the envelope (sender, recipient) of the copy the caller sends next, which
        goes out with this copy's content when the server pipelines; the next call must be
        for exactly that copy (or close() must follow).

        A dropped connection raises (OSError / SMTPServerDisconnected): the caller decides
        whether to reconnect.
        """
        announced, self.announced = self.announced, None
        if announced is not None and announced != (envelope_from, recipient):
            raise RuntimeError("send() is not for the copy announced by the previous send()")
        if announced is None and not (is_header_safe(envelope_from) and is_header_safe(recipient)):
            return SendResult(553, "5.1.3 address with a line break refused before sending",
                              local=True)
        if not self.pipelining:
            if stuffed:
                data = re.sub(rb"(?m)^\.\.", b".", data)  # smtplib stuffs them itself
            return self._send_plain(envelope_from, recipient, data)
        sock = self.host.sock
        if sock is None:
            raise smtplib.SMTPServerDisconnected("not connected")
        if announced is None:
            sock.sendall(_envelope(envelope_from, recipient))
        mail_reply, rcpt_reply, data_reply = self._replies(3)
        if data_reply[0] == 354 and mail_reply[0] == 250 and rcpt_reply[0] in (250, 251):
            content = [data if stuffed else dot_stuffed(data), b".\r\n"]
            if then is not None and is_header_safe(then[0]) and is_header_safe(then[1]):
                content.append(_envelope(*then))
                self.announced = then
            sock.sendall(b"".join(content))
            [(code, reply)] = self._replies(1)
            return SendResult(code, _text(reply))
        if data_reply[0] == 354:  # the server took DATA without a recipient: end it empty
            sock.sendall(b".\r\n")
            self._replies(1)
        self.host.rset()
        code, reply = next((r for r in (mail_reply, rcpt_reply, data_reply) if r[0] >= 400),
                           data_reply)
        return SendResult(code, _text(reply))

    def _replies(self, count: int) -> list[tuple[int, bytes]]:
        """The next `count` replies, as smtplib's getreply() reads them, without its
        overhead per call (four replies a copy)."""
        readline, replies = self.host.file.readline, []
        for _ in range(count):
            line = readline(MAX_LINE + 1)
            lines = []
            while line[3:4] == b"-" and len(line) <= MAX_LINE:  # a multi-line reply
                lines.append(line[4:].strip(b" \t\r\n"))
                line = readline(MAX_LINE + 1)
            if not line or len(line) > MAX_LINE:
                self.host.close()
                raise smtplib.SMTPServerDisconnected("connection closed or reply too long")
            lines.append(line[4:].strip(b" \t\r\n"))
            try:
                code = int(line[:3])
            except ValueError:
                code = -1
            replies.append((code, lines[0] if len(lines) == 1 else b"\n".join(lines)))
        return replies

    def _send_plain(self, envelope_from: str, recipient: str, data: bytes) -> SendResult:
        try:
            self.host.sendmail(envelope_from, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = exc.recipients[recipient]
            return SendResult(code, _text(reply))
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            return SendResult(exc.smtp_code, _text(exc.smtp_error))
        return SendResult(250, "OK")


def _envelope(envelope_from: str, recipient: str) -> bytes:
    return f"MAIL FROM:<{envelope_from}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n".encode()


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

    def send(self, envelope_from: str, recipient: str, data: bytes, stuffed: bool = False,
             then: tuple[str, str] | None = None) -> SendResult:
        if stuffed:
            data = re.sub(rb"(?m)^\.\.", b".", data)
        self.box.add(data)
        return SendResult(250, f"kept in {self.path}")


def open_transport():
    if current_app.config.get("MAIL_SERVER"):
        return SMTPTransport()
    return MailboxTransport()


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)

