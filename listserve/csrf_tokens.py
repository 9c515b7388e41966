"""The visitor's CSRF token, made as flask_wtf.csrf.generate_csrf makes it but with a kept
serializer (listserve.signers): the same kind of token, checked by Flask-WTF as ever.

Each visitor still gets a random secret of their own in their signed session, and a token
signed (with a timestamp) over it; only the server-side signing machinery is reused between
requests. Within a request the token is kept in g, where Flask-WTF's forms find it too.
"""

import secrets

from flask import current_app, g, session

from listserve.signers import KeptSerializer

SALT = "wtf-csrf-token"  # Flask-WTF's: validate_csrf reads the token with it

_serializers: dict[str | bytes, KeptSerializer] = {}


def _serializer(secret_key: str | bytes) -> KeptSerializer:
    serializer = _serializers.get(secret_key)
    if serializer is None:
        serializer = _serializers[secret_key] = KeptSerializer(secret_key, salt=SALT)
    return serializer


def generate_csrf() -> str:
    # Each object is looked up once: an attribute read through a context proxy is costly.
    app, request_globals = current_app._get_current_object(), g._get_current_object()
    field = app.config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
    token = request_globals.get(field)
    if token is None:
        visit = session._get_current_object()
        secret = visit.get(field)
        if not isinstance(secret, str):
            # 40 hex digits, like Flask-WTF's sha1(os.urandom(64)).hexdigest().
            secret = visit[field] = secrets.token_hex(20)
        signing_key = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        token = _serializer(signing_key).dumps(secret)
        setattr(request_globals, field, token)
    return token
