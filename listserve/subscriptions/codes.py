"""Short confirmation codes that fit in an address's local part.

A confirmation mail carries `Reply-To: <list>-confirm+CODE@domain`; replying confirms, as
Mailman's -confirm+TOKEN does. itsdangerous tokens are too long for a local part (RFC 5321
allows 64 octets), so a code is a compact HMAC instead:

    j1f.mz3k9q.0123456789abcdef
    │ │  │      └ HMAC-SHA256 (64 bits) over the rest and the subscription's current nonce
    │ │  └ when it was issued (seconds, base 36)
    │ └ subscription id (hex)
    └ purpose: j = join, l = leave

The nonce lives only in the database, so a code dies when the nonce is replaced or cleared
(single use), and the HMAC key is derived from SECRET_KEY with a salt of its own. Codes are
lower case: some mail systems change the case of local parts.
"""

import functools
import hmac
import re
from datetime import UTC, datetime, timedelta

from flask import current_app

from listserve.core.db import utcnow
from listserve.core.tokens import TokenError, TokenExpired

JOIN = "j"
LEAVE = "l"
MAX_ID = 2**31 - 1  # INTEGER primary keys
CODE_RE = re.compile(r"^([jl])([0-9a-f]{1,8})\.([0-9a-z]{1,7})\.([0-9a-f]{16})$")


def _mac(body: str, nonce: str) -> str:
    key = _key(current_app.secret_key)
    return hmac.digest(key, f"{body}.{nonce}".encode(), "sha256").hex()[:16]


@functools.lru_cache(maxsize=4)
def _key(secret_key: str) -> bytes:
    """The codes' own key, derived from SECRET_KEY once (a worker makes one per copy)."""
    return hmac.digest(secret_key.encode(), b"listserve.reply-code", "sha256")


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


def make_code(purpose: str, subscription_id: int, nonce: str) -> str:
    body = f"{purpose}{subscription_id:x}.{_base36(int(utcnow().timestamp()))}"
    return f"{body}.{_mac(body, nonce)}"


def parse_code(code: str) -> tuple[str, int, datetime]:
    """(purpose, subscription id, issued at) of a well-formed code; raises TokenError."""
    match = CODE_RE.match((code or "").strip().lower())
    if not match:
        raise TokenError("This code is not valid.")
    purpose, subscription_hex, issued = match.group(1, 2, 3)
    subscription_id = int(subscription_hex, 16)
    if subscription_id > MAX_ID:  # a database would refuse to even look it up
        raise TokenError("This code is not valid.")
    return purpose, subscription_id, datetime.fromtimestamp(int(issued, 36), UTC)


def check_code(code: str, nonce: str | None) -> datetime:
    """Return when the code was issued; raise TokenExpired, or TokenError when it does not
    carry `nonce` (tampered, used, or replaced by a newer request)."""
    match = CODE_RE.match((code or "").strip().lower())
    if not match or not nonce:
        raise TokenError("This code is not valid.")
    body = code.strip().lower().rsplit(".", 1)[0]
    if not hmac.compare_digest(_mac(body, nonce), match.group(4)):
        raise TokenError("This code has already been used or is not valid.")
    _, _, issued = parse_code(code)
    max_age = timedelta(seconds=current_app.config["CONFIRM_MAX_AGE"])
    if utcnow() - issued > max_age:
        raise TokenExpired("This code has expired.")
    return issued


def confirm_address(slug: str, domain: str, code: str) -> str:
    return f"{slug}-confirm+{code}@{domain}"
