"""Per-address limits hold across every web process of one `listserve serve`, with no Redis."""

import http.client
import re
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
