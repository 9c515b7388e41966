"""A request body refused as too large (413) is read to its end before the answer goes out,
so the connection stays usable.

Werkzeug answers 413 without reading a body over MAX_CONTENT_LENGTH. gunicorn (27, gthread)
then drains at most 64 KiB of what is left before it reuses a kept-alive connection; past that
it closes the connection, although the 413 it sent said "Connection: keep-alive", and it
ignores a "Connection: close" from the application (a hop-by-hop header). So the client's next
request on that connection was dropped, and a browser still sending the body could meet a reset
instead of the 413 page. Reading the rest here (at network speed, nothing parsed or kept) ends
both. Bodies past DRAIN_LIMIT are not read, and a client that stops sending is given up on
after DRAIN_SECONDS (on gunicorn, whose socket we can bound): the server closes those
connections as before.
"""

import time

from flask import Flask

DRAIN_LIMIT = 16 * 1024 * 1024
DRAIN_SECONDS = 10.0
CHUNK = 64 * 1024


class DrainRefusedBodies:
    """WSGI middleware: after the app answers 413, read what is left of the body."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        statuses = []

        def remember_status(status, headers, exc_info=None):
            statuses.append(status)
            return start_response(status, headers, exc_info)

        answer = self.wsgi_app(environ, remember_status)
        if statuses and statuses[-1].startswith("413"):
            drain(environ)
        return answer


def drain(environ) -> None:
    """Read the rest of the request body, up to DRAIN_LIMIT bytes, and drop it."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        length = None
    if length is None and not environ.get("wsgi.input_terminated"):
        return  # a stream with no end we could know: reading could wait for ever
    left = DRAIN_LIMIT if length is None else length
    if left > DRAIN_LIMIT:
        return
    sock = environ.get("gunicorn.socket")
    prior_timeout = sock.gettimeout() if sock is not None else None
    deadline = time.monotonic() + DRAIN_SECONDS
    try:
        while left > 0:
            if sock is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                sock.settimeout(remaining)
            chunk = environ["wsgi.input"].read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
    except OSError:  # a timeout, a reset, gunicorn's NoMoreData (an IOError)
        return  # the client stopped sending or went away: the server closes the connection
    finally:
        if sock is not None:
            sock.settimeout(prior_timeout)


def init_app(app: Flask) -> None:
    app.wsgi_app = DrainRefusedBodies(app.wsgi_app)
