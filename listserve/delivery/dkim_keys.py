"""DKIM keys as an operator handles them: made, written, and published as a DNS TXT record."""

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

RSA_BITS = 2048  # what Gmail and Yahoo ask of bulk senders; 4096 does not fit many DNS forms


def generate_key(use_ed25519: bool = False):
    if use_ed25519:
        return ed25519.Ed25519PrivateKey.generate()
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)


def key_type(key) -> str:
    """The k= of a key's record: "rsa" or "ed25519" (private or public key)."""
    return "ed25519" if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey) \
        else "rsa"


def public_bytes(key) -> bytes:
    """What p= holds, decoded: the DER SubjectPublicKeyInfo of an RSA key (RFC 6376 3.6.1), the
    32 raw bytes of an Ed25519 key (RFC 8463 4.2)."""
    public = key.public_key() if hasattr(key, "public_key") else key
    if key_type(public) == "ed25519":
        return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return public.public_bytes(serialization.Encoding.DER,
                               serialization.PublicFormat.SubjectPublicKeyInfo)


def record_text(key) -> str:
    """The TXT record that publishes a key's public half."""
    return f"v=DKIM1; k={key_type(key)}; p={base64.b64encode(public_bytes(key)).decode('ascii')}"


def record_name(selector: str, domain: str) -> str:
    return f"{selector}._domainkey.{domain}"


def zone_line(selector: str, domain: str, text: str) -> str:
    """The record as a zone-file line; a TXT string holds at most 255 characters, so a long
    record is given as several strings, which DNS joins."""
    chunks = " ".join(f'"{text[i:i + 255]}"' for i in range(0, len(text), 255))
    return f"{record_name(selector, domain)}. 3600 IN TXT ( {chunks} )"


def private_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def write_private_key(path: Path, key) -> None:
    """Write the key readable by its owner only (0600); never over an existing file."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(private_pem(key))


def parse_tags(text: str) -> dict[str, str]:
    """A tag=value list (RFC 6376 3.2); whitespace around tags and values is dropped."""
    tags = {}
    for part in text.split(";"):
        if part.strip():
            name, _, value = part.partition("=")
            tags[name.strip()] = value.strip()
    return tags


def key_bits(key) -> int | None:
    return key.key_size if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey) else None
