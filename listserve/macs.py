"""HMACs for code that signs thousands of short messages with one key (the worker signs an
unsubscribe token and a VERP address for every copy it sends)."""

import binascii
import hmac
from collections.abc import Callable

_URLSAFE = bytes.maketrans(b"+/", b"-_")


def keyed_mac(key: bytes, digest: Callable) -> Callable[[bytes], bytes]:
    """HMAC(key, message) for one key and many messages: the same bytes as
    hmac.new(key, message, digest).digest(), with RFC 2104's inner and outer hashes keyed
    once, so a message costs four hashlib calls and no hmac.HMAC object (whose copy,
    update and digest are Python methods)."""
    block = digest().block_size
    if len(key) > block:
        key = digest(key).digest()
    key = key.ljust(block, b"\0")
    inner, outer = digest(key.translate(hmac.trans_36)), digest(key.translate(hmac.trans_5C))

    def mac(message: bytes) -> bytes:
        first = inner.copy()
        first.update(message)
        second = outer.copy()
        second.update(first.digest())
        return second.digest()

    return mac


def urlsafe_b64(data: bytes) -> bytes:
    """base64url without padding, as itsdangerous's base64_encode writes it."""
    return binascii.b2a_base64(data, newline=False).translate(_URLSAFE).rstrip(b"=")
