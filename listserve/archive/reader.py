"""The verified reader: a signed cookie that remembers, for 30 days, which address this
browser has proven, so that reader's next comments publish at once.

It has its own salt, so no other signed value of ours can stand in for it. It holds the
address's comparison key: the reader's own address, shown to nobody else.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "verified_reader"
SALT = "listserve.verified-reader"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def _max_age() -> int:
    return int(timedelta(days=current_app.config["VERIFIED_READER_DAYS"]).total_seconds())


def verified_reader_key() -> str | None:
    """The address key this browser has proven, or None (missing, tampered with, or old)."""
    value = request.cookies.get(COOKIE_NAME)
    if not value:
        return None
    try:
        key = _serializer().loads(value, max_age=_max_age())
    except (BadSignature, ValueError, TypeError):
        return None
    return key if isinstance(key, str) else None


def remember_verified_reader(response: Response, email_key: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps(email_key),
        max_age=_max_age(),
        httponly=True,
        samesite="Lax",
        secure=urlsplit(current_app.config["BASE_URL"]).scheme == "https",
    )
