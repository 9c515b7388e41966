"""What holds on a real `listserve serve` (two gunicorn gthread workers): per-address limits
across its processes with no Redis, and kept-alive connections after a refused body."""

import http.client
import re
import socket
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

from tests.hardening.conftest import SERVED_SUBSCRIBE_LIMIT
from tests.support import csrf_token

SIGN_UPS = 30


def subscribe_form(host: str) -> tuple[str, str]:
    """GET the form as a browser does: its session cookie and CSRF token."""
    connection = http.client.HTTPConnection(host, timeout=10)
    connection.request("GET", "/subscribe")
    form = connection.getresponse()
    cookie = re.match(r"[^;]+", form.getheader("Set-Cookie")).group(0)
    token = csrf_token(form.read().decode())
    connection.close()
    return cookie, token


def send_form(host: str, cookie: str, token: str, email: str) -> int:
    # A connection of its own: the two web processes take connections as they come.
    connection = http.client.HTTPConnection(host, timeout=30)
    connection.request("POST", "/subscribe", urlencode({"csrf_token": token, "email": email}),
                       {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer.status


def test_thirty_sign_ups_from_one_address_get_exactly_the_limit(app, served):
    host = urlsplit(served.url).netloc
    forms = [subscribe_form(host) for _ in range(SIGN_UPS)]
    # Sent ten at a time, as a surge arrives, so both web processes answer some of them.
    with ThreadPoolExecutor(10) as pool:
        statuses = list(pool.map(
            lambda n: send_form(host, *forms[n], f"surge{n}@example.net"), range(SIGN_UPS)))
    assert statuses.count(303) == SERVED_SUBSCRIBE_LIMIT, statuses
    assert statuses.count(429) == SIGN_UPS - SERVED_SUBSCRIBE_LIMIT, statuses


TOO_LARGE = b"email=" + b"x" * (2 * 1024 * 1024)  # twice MAX_CONTENT_LENGTH


def refused_post() -> bytes:
    return (b"POST /subscribe HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: %d\r\n\r\n" % len(TOO_LARGE)) + TOO_LARGE


NEXT_REQUEST = b"GET /subscribe/check-your-inbox HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def read_answer(stream) -> tuple[int, dict, str]:
    status = int(stream.readline().split()[1])
    headers = {}
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, value = line.decode().split(":", 1)
        headers[name.lower()] = value.strip()
    body = stream.read(int(headers["content-length"])).decode()
    return status, headers, body


def test_after_a_413_the_kept_alive_connection_serves_the_next_request(app, served):
    host, port = urlsplit(served.url).hostname, urlsplit(served.url).port
    with socket.create_connection((host, port), timeout=20) as sock:
        stream = sock.makefile("rb")
        sock.sendall(refused_post())
        status, headers, page = read_answer(stream)
        assert status == 413 and "too large" in page
        assert headers.get("connection") != "close"  # so the client may send again on it
        sock.sendall(NEXT_REQUEST)
        status, _, page = read_answer(stream)
        assert status == 200 and "inbox" in page


def test_a_request_sent_behind_a_refused_body_is_answered(app, served):
    """Pipelined, as a busy client's keep-alive pool may: both answers, in order."""
    host, port = urlsplit(served.url).hostname, urlsplit(served.url).port
    with socket.create_connection((host, port), timeout=20) as sock:
        stream = sock.makefile("rb")
        sock.sendall(refused_post() + NEXT_REQUEST)
        assert read_answer(stream)[0] == 413
        assert read_answer(stream)[0] == 200
