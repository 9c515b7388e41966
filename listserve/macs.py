"""HMACs for code that signs thousands of short messages with one key (the worker signs an
unsubscribe token and a VERP address for every copy it sends)."""

import binascii
import hmac
from collections.abc import Callable

_URLSAFE = bytes.maketrans(b"+/", b"-_")


def keyed_mac(key: bytes, digest: Callable) -> Callable[[bytes], bytes]:
    """HMAC(key, message) for one key and many messages: the same bytes as
    hmac.new(key, message, digest).digest(), with the key set up once (OpenSSL's HMAC
    object, copied per message) rather than for every message."""
    keyed = hmac.new(key, digestmod=digest().name)

    def mac(message: bytes) -> bytes:
        one = keyed.copy()
        one.update(message)
        return one.digest()

    return mac


def urlsafe_b64(data: bytes) -> bytes:
    """base64url without padding, as itsdangerous's base64_encode writes it."""
    return binascii.b2a_base64(data, newline=False).translate(_URLSAFE).rstrip(b"=")
