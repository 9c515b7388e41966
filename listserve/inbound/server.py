"""The receiver: aiosmtpd speaking LMTP (behind Postfix or Exim) or SMTP.

aiosmtpd runs the conversation on an event loop; the database work for RCPT and DATA runs
in a thread pool inside the Flask app context, so one slow transaction never stalls the
other connections.
"""

import asyncio
import functools
import logging
import signal

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from flask import Flask

from listserve.inbound.receive import TRY_LATER, accepts_recipient, receive_message

log = logging.getLogger(__name__)

REFUSED = "550 5.1.1 No such recipient here"
TOO_MANY = "452 4.5.3 Too many recipients"


class InboundHandler:
    """aiosmtpd handler hooks: refuse unknown recipients at RCPT, handle the data."""

    def __init__(self, app: Flask, lmtp: bool = True):
        self.app = app
        self.lmtp = lmtp

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if len(envelope.rcpt_tos) >= self.app.config["INBOUND_MAX_RECIPIENTS"]:
            return TOO_MANY
        accepted = await self._in_app(accepts_recipient, address)
        if accepted is None:
            return TRY_LATER
        if not accepted:
            return REFUSED
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        peer = session.peer[0] if isinstance(session.peer, tuple) else None
        replies = await self._in_app(
            receive_message,
            envelope.original_content or b"",
            envelope.mail_from or "",
            list(envelope.rcpt_tos),
            peer,
        )
        replies = replies or [TRY_LATER] * len(envelope.rcpt_tos)
        if self.lmtp:
            return "\r\n".join(replies)  # LMTP answers once per recipient (RFC 2033)
        return next((reply for reply in replies if not reply.startswith("2")), replies[0])

    async def _in_app(self, function, *args):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(self._call, function, *args))

    def _call(self, function, *args):
        """Run database work in the app context; None (answered 451) if it raises."""
        try:
            with self.app.app_context():
                return function(*args)
        except Exception:
            log.exception("inbound %s failed", function.__name__)
            return None


def server_options(app: Flask) -> dict:
    return {
        "data_size_limit": app.config["INBOUND_MAX_BYTES"],
        "enable_SMTPUTF8": True,
        "hostname": app.config["LIST_DOMAIN"],
        "ident": "listserve inbound",
    }


def make_server(app: Flask, lmtp: bool = True) -> SMTP:
    """One protocol instance per connection, as asyncio's create_server wants."""
    return (LMTP if lmtp else SMTP)(InboundHandler(app, lmtp), **server_options(app))


class InboundController(Controller):
    """The receiver in a background thread, on a given port (tests, embedding)."""

    def __init__(self, app: Flask, host: str, port: int, lmtp: bool = True):
        self.lmtp = lmtp
        options = server_options(app)
        options["server_hostname"] = options.pop("hostname")  # hostname is the bind address
        super().__init__(InboundHandler(app, lmtp), hostname=host, port=port, **options)

    def factory(self):
        return (LMTP if self.lmtp else SMTP)(self.handler, **self.SMTP_kwargs)


def run_receiver(app: Flask, host: str, port: int, lmtp: bool = True, ready=None) -> None:
    """Serve until SIGINT or SIGTERM; `ready()` is called once the port is listening."""
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        loop.create_server(lambda: make_server(app, lmtp), host=host, port=port)
    )
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, loop.stop)
    if ready is not None:
        ready()
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()
