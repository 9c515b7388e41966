"""Signed tokens for links in mail. Each purpose has its own salt, so a token made for one
purpose is worthless for another; payloads hold ids and nonces, never an address."""

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer


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


def make_lasting_token(purpose: str, payload: Any) -> str:
    """A token that never expires (unsubscribe links must work in mail kept for years)."""
    return lasting_serializer(purpose).dumps(payload)


def read_lasting_token(purpose: str, token: str) -> Any:
    try:
        return URLSafeSerializer(current_app.secret_key, salt=_salt(purpose)).loads(token)
    except (BadSignature, ValueError, TypeError):
        raise TokenError("This link is not valid.") from None
