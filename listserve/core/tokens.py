"""Signed tokens for links in mail. Each purpose has its own salt, so a token made for one
purpose is worthless for another; payloads hold ids and nonces, never an address."""

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from listserve.core.signing import KeptSerializer, keyed_mac, urlsafe_b64


class TokenError(Exception):
    """The link is not valid (tampered, for another purpose, or already used)."""


class TokenExpired(TokenError):
    """The link was valid but is too old."""


def _salt(purpose: str) -> str:
    return f"listserve.{purpose}"


def make_timed_token(purpose: str, payload: Any) -> str:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_salt(purpose)).dumps(payload)


def read_timed_token(purpose: str, token: str, max_age: int) -> Any:
    """Return the payload; raise TokenExpired or TokenError."""
    serializer = URLSafeTimedSerializer(current_app.secret_key, salt=_salt(purpose))
    try:
        return serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenExpired("This link has expired.") from None
    except (BadSignature, ValueError, TypeError):
        raise TokenError("This link is not valid.") from None


def lasting_serializer(purpose: str) -> URLSafeSerializer:
    """The serializer behind lasting tokens, for code that makes thousands at once."""
    return URLSafeSerializer(current_app.secret_key, salt=_salt(purpose))


def timed_serializer(purpose: str) -> KeptSerializer:
    """make_timed_token's serializer kept, for code that makes thousands at once (its key
    derived once): tokens read_timed_token reads."""
    return KeptSerializer(current_app.secret_key, salt=_salt(purpose))


# Ids below this make JSON of at most ten bytes ("[99999999]").
SHORT_ID_LIMIT = 10**8


class LastingTokenMaker:
    """make_lasting_token for one purpose, thousands of times: the same tokens, with the
    signing key derived once instead of per token."""

    def __init__(self, purpose: str):
        serializer = lasting_serializer(purpose)
        signer = serializer.make_signer()
        self.mac = keyed_mac(signer.derive_key(), signer.digest_method)
        self.dumps = serializer.dump_payload
        self.sep = signer.sep

    def __call__(self, payload: Any) -> str:
        if type(payload) is list and len(payload) == 1 and type(payload[0]) is int \
                and 0 <= payload[0] < SHORT_ID_LIMIT:
            # What dump_payload makes of [id] (compact JSON, base64url without padding;
            # zlib never shortens ten bytes enough to be used), without its JSON encoder
            # and zlib call per copy. tests/subscriptions/test_tokens.py checks they agree.
            body = urlsafe_b64(b"[%d]" % payload[0])
        else:
            body = self.dumps(payload)
        return (body + self.sep + urlsafe_b64(self.mac(body))).decode("ascii")


def make_lasting_token(purpose: str, payload: Any) -> str:
    """A token that never expires (unsubscribe links must work in mail kept for years)."""
    return lasting_serializer(purpose).dumps(payload)


def read_lasting_token(purpose: str, token: str) -> Any:
    try:
        return URLSafeSerializer(current_app.secret_key, salt=_salt(purpose)).loads(token)
    except (BadSignature, ValueError, TypeError):
        raise TokenError("This link is not valid.") from None
