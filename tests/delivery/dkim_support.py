"""Keys, DNS records and an independent verifier (dkimpy) for the DKIM tests."""

import base64
import hashlib

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from dkim.canonicalization import CanonicalizationPolicy

RELAXED = CanonicalizationPolicy.from_c_value(b"relaxed/relaxed")

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ED25519_KEY = ed25519.Ed25519PrivateKey.generate()


def pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def record(key) -> bytes:
    """The DNS TXT record publishing key's public half."""
    public = key.public_key()
    if isinstance(key, ed25519.Ed25519PrivateKey):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return b"v=DKIM1; k=ed25519; p=" + base64.b64encode(raw)
    der = public.public_bytes(serialization.Encoding.DER,
                              serialization.PublicFormat.SubjectPublicKeyInfo)
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)


def dns_for(records: dict[str, bytes], asked: list | None = None):
    """A dnsfunc for dkimpy answering from {"selector._domainkey.domain.": record}."""

    def lookup(name, timeout=5):
        if asked is not None:
            asked.append(name)
        return records.get(name.decode("ascii"))

    return lookup


def verified(message: bytes, dnsfunc) -> list[bool]:
    """dkimpy's verdict on each DKIM-Signature of message, top first."""
    checker = dkim.DKIM(message)
    count = sum(1 for name, _ in checker.headers if name.lower() == b"dkim-signature")
    return [dkim.DKIM(message).verify(idx=i, dnsfunc=dnsfunc) for i in range(count)]


def signature_tags(message: bytes, index: int = 0) -> dict[str, str]:
    checker = dkim.DKIM(message)
    values = [v for name, v in checker.headers if name.lower() == b"dkim-signature"]
    text = values[index].decode("ascii").replace("\r\n", "")
    pairs = (part.split("=", 1) for part in text.split(";") if part.strip())
    return {name.strip(): value.strip() for name, value in pairs}


def dkimpy_body_hash(message: bytes) -> bytes:
    return hashlib.sha256(RELAXED.canonicalize_body(dkim.DKIM(message).body)).digest()


def dkimpy_canonical_headers(message: bytes, signed_names) -> bytes:
    """What dkimpy hashes for the header fields h= names (less the DKIM-Signature field)."""
    headers = RELAXED.canonicalize_headers(dkim.DKIM(message).headers)
    chosen = dkim.select_headers(headers, [n.encode() for n in signed_names])
    return b"".join(name + b":" + value for name, value in chosen)
