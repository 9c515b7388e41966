"""Per-copy envelope senders (VERP) and Message-IDs, so a bounce names the copy it is about.

The opaque part is the outbox entry id followed by a short HMAC of it, base32 in lower case:
a bounce address cannot be forged for another copy, and does not show a plain row number.
"""

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable

from flask import current_app

from listserve.core.signing import keyed_mac

MAC_BYTES = 5  # 40 bits: enough that guessing another copy's address is hopeless
BOUNCE_LOCAL = "bounces"
_BOUNCE = re.compile(r"^<?bounces\+([a-z2-7]+)@[^@>\s]+>?$", re.IGNORECASE)


def _key() -> bytes:
    return hashlib.sha256(b"listserve.verp" + current_app.secret_key.encode()).digest()


def opaque_id(entry_id: int, key: bytes | Callable[[bytes], bytes] | None = None) -> str:
    """The entry id and its HMAC, base32 without padding, lower case. `key` may be the MAC
    itself keyed once (verp_key()), which saves setting up the key each time."""
    raw = entry_id.to_bytes(max(1, (entry_id.bit_length() + 7) // 8), "big")
    if callable(key):
        mac = key(raw)[:MAC_BYTES]
    else:
        mac = hmac.new(key or _key(), raw, hashlib.sha256).digest()[:MAC_BYTES]
    return base64.b32encode(raw + mac).decode("ascii").rstrip("=").lower()


def read_opaque_id(opaque: str, key: bytes | None = None) -> int | None:
    text = opaque.upper()
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        return None
    # The last letter may carry unused bits: another letter there decodes to the same bytes.
    # Only the form we wrote is ours (a changed address is a forged one).
    if base64.b32encode(raw).decode("ascii").rstrip("=") != text:
        return None
    if len(raw) <= MAC_BYTES:
        return None
    entry_bytes, mac = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
    expected = hmac.new(key or _key(), entry_bytes, hashlib.sha256).digest()[:MAC_BYTES]
    if not hmac.compare_digest(mac, expected):
        return None
    return int.from_bytes(entry_bytes, "big")


def bounce_address(domain: str, entry_id: int,
                   key: bytes | Callable[[bytes], bytes] | None = None,
                   opaque: str | None = None) -> str:
    """bounces+<opaque>@<list domain>: the envelope sender of one copy (`opaque`: its
    opaque_id, when the caller has it already)."""
    return f"{BOUNCE_LOCAL}+{opaque or opaque_id(entry_id, key)}@{domain}"


def parse_bounce_address(address: str) -> int | None:
    """The OutboxEntry id a bounce address names, or None when it is not one of ours."""
    match = _BOUNCE.match((address or "").strip())
    return read_opaque_id(match.group(1)) if match else None


def copy_message_id_tail(mailing_id: int, stamp: str, domain: str) -> str:
    """What follows a copy's opaque id in the Message-ID a worker makes for it:
    <opaque.m<mailing>[.<stamp>]@<domain>> (listserve.delivery.compose, CopyTemplate)."""
    return f".m{mailing_id}{stamp}@{domain}"


_COPY_MESSAGE_ID = re.compile(r"<([a-z2-7]+)\.m(\d+)(?:\.[0-9a-f]+)?@[^<>@]+>")


def parse_copy_message_id(message_id: str) -> tuple[int, int] | None:
    """(outbox entry id, mailing id) a worker-made Message-ID names, or None when it is not
    one of ours (the entry id is signed: see read_opaque_id)."""
    match = _COPY_MESSAGE_ID.fullmatch(message_id)
    entry_id = match and read_opaque_id(match[1])
    return (entry_id, int(match[2])) if entry_id else None


def verp_key() -> Callable[[bytes], bytes]:
    """The HMAC keyed once, for callers that build many addresses."""
    return keyed_mac(_key(), hashlib.sha256)
