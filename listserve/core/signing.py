"""Signing: itsdangerous serializers, HMACs for many short messages, and the visitor's CSRF token.

itsdangerous serializers that keep their signer between calls.

A stock URLSafeTimedSerializer builds a new Signer for every dumps/loads, derives the signing
key again each time (an extra hash or HMAC), computes the HMAC in pure Python (hmac.new with a
digest *function*), and tries zlib on every payload, which costs more than all the rest
together for a short one (zlib sets up its 64 KiB tables each time). Every cookieless visitor
gets two such signatures (the session cookie and the CSRF token), so these matter:

* the signer is built once per salt, its derived keys kept, the HMAC done in one C call
  (hmac.digest): the same signatures, byte for byte;
* payloads shorter than SHORT_PAYLOAD bytes are not offered to zlib. Such a short payload
  seldom shrinks (a random token never does) and is short anyway; loads reads both forms,
  so every token made here is read by the stock serializer and the other way round.

Nothing here depends on the visitor: a signer holds only the server's keys.

HMACs for code that signs thousands of short messages with one key (the worker signs an
unsubscribe token and a VERP address for every copy it sends).

The visitor's CSRF token, made as flask_wtf.csrf.generate_csrf makes it but with a kept
serializer (listserve.core.signing): the same kind of token, checked by Flask-WTF as ever.

Each visitor still gets a random secret of their own in their signed session, and a token
signed (with a timestamp) over it; only the server-side signing machinery is reused between
requests. Within a request the token is kept in g, where Flask-WTF's forms find it too.
"""

import binascii
import hmac
import secrets
import zlib
from collections.abc import Callable

from flask import current_app, g, session
from flask_wtf.csrf import _get_config
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, want_bytes
from itsdangerous.signer import HMACAlgorithm
from wtforms import ValidationError

SHORT_PAYLOAD = 100


class _OneCallHMAC(HMACAlgorithm):
    """HMACAlgorithm's signatures, computed by hmac.digest (OpenSSL) from the digest's name."""

    def __init__(self, digest_method):
        super().__init__(digest_method)
        self._name = digest_method().name

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.digest(key, value, self._name)


class KeptSigner(TimestampSigner):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if type(self.algorithm) is HMACAlgorithm:
            self.algorithm = _OneCallHMAC(self.algorithm.digest_method)
        self._derived: dict[bytes, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = self.secret_keys[-1] if secret_key is None else secret_key
        derived = self._derived.get(key)
        if derived is None:
            derived = self._derived[key] = super().derive_key(key)
        return derived


class KeptSerializer(URLSafeTimedSerializer):
    """URLSafeTimedSerializer whose signers (one per salt) are made once."""

    default_signer = KeptSigner

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._signers: dict = {}

    def make_signer(self, salt: str | bytes | None = None) -> KeptSigner:
        signer = self._signers.get(salt)
        if signer is None:
            signer = self._signers[salt] = super().make_signer(salt)
        return signer

    def dump_payload(self, obj) -> bytes:
        # URLSafeSerializerMixin.dump_payload, with short payloads left uncompressed.
        json = want_bytes(self.serializer.dumps(obj, **self.serializer_kwargs))
        if len(json) >= SHORT_PAYLOAD:
            compressed = zlib.compress(json)
            if len(compressed) < len(json) - 1:
                return b"." + base64_encode(compressed)
        return base64_encode(json)


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


# Flask-WTF's own reasons, word for word: they go to the log and into CSRFError, whose page
# (core.errors.handle_csrf_error) shows a translated message of its own, never these.
_KEY_NEEDED = "A secret key is required to use CSRF."
_NO_FIELD_NAME = "A field name is required to use CSRF."
_MISSING = "The CSRF token is missing."
_NOT_IN_SESSION = "The CSRF session token is missing."
_EXPIRED = "The CSRF token has expired."
_INVALID = "The CSRF token is invalid."
_NO_MATCH = "The CSRF tokens do not match."


def validate_csrf(data, secret_key=None, time_limit=None, token_key=None) -> None:
    """flask_wtf.csrf.validate_csrf (the same checks in the same order, the same messages),
    reading the token with the kept serializer: about 8 of its 22 µs."""
    secret_key = _get_config(secret_key, "WTF_CSRF_SECRET_KEY", current_app.secret_key,
                             message=_KEY_NEEDED)
    field_name = _get_config(token_key, "WTF_CSRF_FIELD_NAME", "csrf_token",
                             message=_NO_FIELD_NAME)
    time_limit = _get_config(time_limit, "WTF_CSRF_TIME_LIMIT", 3600, required=False)
    if not data:
        raise ValidationError(_MISSING)
    visit = session._get_current_object()
    if field_name not in visit:
        raise ValidationError(_NOT_IN_SESSION)
    try:
        token = _serializer(secret_key).loads(data, max_age=time_limit)
    except SignatureExpired as e:
        raise ValidationError(_EXPIRED) from e
    except BadData as e:
        raise ValidationError(_INVALID) from e
    if not hmac.compare_digest(visit[field_name], token):
        raise ValidationError(_NO_MATCH)
