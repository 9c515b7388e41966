"""itsdangerous serializers that keep their signer between calls.

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
"""

import hmac
import zlib

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, want_bytes
from itsdangerous.signer import HMACAlgorithm

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
