"""DKIM signing of the exact bytes a copy is sent as, when a key is configured.

The signature is ours (listserve.delivery.dkim_sign: relaxed/relaxed, the RSA or Ed25519 step by
OpenSSL through the cryptography package). An Ed25519 key (RFC 8463) signs beside the RSA one:
two DKIM-Signature fields, for receivers that know either.
"""

from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from flask import current_app

from listserve.delivery.dkim_sign import DkimKey, DkimSigner

# Everything a reader or a filter relies on; From and the two unsubscribe headers are named
# twice ("oversigned") so that nobody can add a second one after signing.
SIGNED_HEADERS = (
    "from", "to", "subject", "date", "message-id", "reply-to", "list-id", "list-unsubscribe",
    "list-unsubscribe-post", "list-archive", "list-post", "list-help", "archived-at",
    "mime-version", "content-type", "from", "list-unsubscribe", "list-unsubscribe-post",
)


def load_private_key(pem: bytes, setting: str = "DKIM_PRIVATE_KEY_PATH"):
    """An RSA or Ed25519 private key from PEM; raises ValueError saying which setting is wrong."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{setting} does not hold a readable private key ({exc})") from None
    if not isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        raise ValueError(f"{setting} must hold an RSA or Ed25519 private key")
    return key


@lru_cache(maxsize=4)
def _read_key(path: str, setting: str):
    return load_private_key(Path(path).read_bytes(), setting)


def configured_keys(cfg) -> list[DkimKey]:
    """The signing keys the configuration names: DKIM_SELECTOR with DKIM_PRIVATE_KEY_PATH, and
    DKIM_ED25519_SELECTOR with DKIM_ED25519_PRIVATE_KEY_PATH (either, both or none)."""
    domain = cfg.get("DKIM_DOMAIN") or cfg["LIST_DOMAIN"]
    keys = []
    for prefix in ("DKIM", "DKIM_ED25519"):
        selector, path = cfg.get(f"{prefix}_SELECTOR"), cfg.get(f"{prefix}_PRIVATE_KEY_PATH")
        if selector and path:
            keys.append(DkimKey(selector, domain,
                                _read_key(str(path), f"{prefix}_PRIVATE_KEY_PATH")))
    keys.sort(key=lambda k: k.algorithm != b"rsa-sha256")  # RSA first: read by everyone
    return keys


def configured_signer() -> DkimSigner | None:
    """A signer when a selector and a key file are set, else None."""
    keys = configured_keys(current_app.config)
    return DkimSigner(keys, SIGNED_HEADERS) if keys else None
