"""Flask's signed-cookie session, unchanged but for its signing: the serializer is made once
per secret key, not twice per request, and signs with a kept signer (listserve.signers).
The cookies are the very ones Flask makes, and Flask's own session interface reads them."""

import json

from flask import Flask
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface

from listserve.signers import KeptSerializer


class SessionJSON(TaggedJSONSerializer):
    """Flask's tagged JSON. Tags only ever mark values that are not plain strings (tuples,
    bytes, Markup, dates, …), so a session of plain strings (what a new visitor has: a CSRF
    token) is dumped as it is, without walking the tags; the JSON is the same."""

    _plain = json.JSONEncoder(separators=(",", ":"), sort_keys=True)

    def dumps(self, value) -> str:
        if (
            type(value) is dict
            and all(type(k) is str and type(v) is str for k, v in value.items())
            and not (len(value) == 1 and next(iter(value)) in self.tags)
        ):
            return self._plain.encode(value)
        return super().dumps(value)


class SessionInterface(SecureCookieSessionInterface):
    serializer = SessionJSON()

    def __init__(self):
        self._serializers: dict[tuple, KeptSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> KeptSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._serializers:
            self._serializers[keys] = self._make_serializer(app)
        return self._serializers[keys]

    def _make_serializer(self, app: Flask) -> KeptSerializer | None:
        if not app.secret_key:
            return None
        return KeptSerializer(
            [*(app.config.get("SECRET_KEY_FALLBACKS") or ()), app.secret_key],
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={"key_derivation": self.key_derivation,
                           "digest_method": self.digest_method},
        )
