"""`listserve dkim check`: are the published DKIM records the configured keys, and do the From
domain, the DKIM d= and the VERP envelope domain line up for DMARC? Findings in plain words.

DNS is read through a `lookup(name) -> [TXT strings]` function (dnspython by default), so a
check can be pointed at any server, the domain's own authoritative one included.
"""

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass

import dns.exception
import dns.nameserver
import dns.resolver
from cryptography.hazmat.primitives import serialization

from listserve.delivery.dkim_keys import (
    key_bits,
    key_type,
    parse_tags,
    public_bytes,
    record_name,
    record_text,
    zone_line,
)

OK, WARNING, PROBLEM = "ok", "warning", "problem"
Lookup = Callable[[str], list[str]]


class LookupFailed(Exception):
    """DNS gave no answer we can judge (a timeout, a server failure)."""


@dataclass
class Finding:
    level: str
    text: str


def dns_lookup(nameservers: list[str] | None = None, timeout: float = 5.0) -> Lookup:
    """TXT strings at a name by dnspython ([] when there are none); nameservers "IP" or
    "IP:PORT" instead of the system's resolver."""
    resolver = dns.resolver.Resolver(configure=not nameservers)
    if nameservers:
        servers = []
        for server in nameservers:
            host, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
            servers.append(dns.nameserver.Do53Nameserver(host, int(port or 53)))
        resolver.nameservers = servers
    resolver.lifetime = timeout

    def lookup(name: str) -> list[str]:
        try:
            answer = resolver.resolve(name, "TXT")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except dns.resolver.LifetimeTimeout:
            raise LookupFailed(f"could not look up {name}: no DNS answer within "
                               f"{timeout:g} s") from None
        except dns.exception.DNSException as exc:
            raise LookupFailed(f"could not look up {name}: {exc}") from None
        return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]

    return lookup


def check_key(selector: str, domain: str, key, lookup: Lookup, setting: str) -> list[Finding]:
    """Is the record at selector._domainkey.domain the public half of `key`?"""
    name, kind = record_name(selector, domain), key_type(key)
    publish = f"Publish:\n    {zone_line(selector, domain, record_text(key))}"
    findings = _key_strength(key, setting)
    try:
        records = lookup(name)
    except LookupFailed as exc:
        return [*findings, Finding(PROBLEM, str(exc))]
    if not records:
        return [*findings, Finding(PROBLEM, f"No DKIM record at {name}: receivers cannot "
                                            f"check mail signed with selector {selector}. "
                                            + publish)]
    if len(records) > 1:
        return [*findings, Finding(PROBLEM, f"{len(records)} TXT records at {name}: a "
                                            "receiver takes any one of them. Keep one. "
                                            + publish)]
    tags = parse_tags(records[0])
    wrong = _record_fault(tags, kind)
    if wrong:
        return [*findings, Finding(PROBLEM, f"The record at {name} {wrong}. {publish}")]
    if _decoded(tags["p"]) != public_bytes(key):
        return [*findings, Finding(PROBLEM, f"The record at {name} holds another key than "
                                            f"the one in {setting}: every signature made "
                                            f"with it fails. {publish}")]
    if "y" in [flag.strip() for flag in tags.get("t", "").split(":")]:
        findings.append(Finding(PROBLEM, f"The record at {name} has t=y (testing): receivers "
                                         "treat mail signed with it as unsigned. When this "
                                         "check passes, publish it without t=y."))
    else:
        findings.append(Finding(OK, f"{name}: the published key is the configured "
                                    f"{_describe(key)}."))
    return findings


def _key_strength(key, setting: str) -> list[Finding]:
    bits = key_bits(key)
    if bits is not None and bits < 1024:
        return [Finding(PROBLEM, f"The key in {setting} is too short ({bits} bits): receivers "
                                 "ignore signatures by RSA keys under 1024 bits (RFC 8301). "
                                 "Make a new one with `listserve dkim keygen`.")]
    if bits is not None and bits < 2048:
        return [Finding(WARNING, f"The key in {setting} has {bits} bits; Gmail and Yahoo ask "
                                 "bulk senders for 2048. Rotate to a new key with "
                                 "`listserve dkim keygen`.")]
    return []


def _record_fault(tags: dict[str, str], kind: str) -> str | None:
    """What makes a record unusable for a key of this kind, in words, or None."""
    if tags.get("v", "DKIM1") != "DKIM1":
        return f"is not a DKIM key record (v={tags['v']}, not v=DKIM1)"
    if tags.get("k", "rsa") != kind:
        return f"is for a k={tags.get('k', 'rsa')} key, but the configured key is {kind}"
    if "p" not in tags:
        return "has no p= (the public key)"
    if not tags["p"]:
        return "is revoked (p= is empty)"
    if _decoded(tags["p"]) is None:
        return "has a p= that is not base64"
    if "h" in tags and "sha256" not in [h.strip() for h in tags["h"].split(":")]:
        return f"allows only h={tags['h']}, and our signatures use sha256"
    if tags.get("s", "*").strip() not in ("*", "email") and "email" not in tags["s"]:
        return f"is for service s={tags['s']}, not email"
    if kind == "rsa":
        try:
            public = serialization.load_der_public_key(_decoded(tags["p"]))
        except ValueError:
            return "has a p= that is not an RSA public key"
        if (key_bits(public) or 0) < 1024:
            return (f"holds a key too short ({key_bits(public)} bits): receivers ignore "
                    "RSA keys under 1024 bits (RFC 8301)")
    return None


def _decoded(value: str) -> bytes | None:
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _describe(key) -> str:
    bits = key_bits(key)
    return f"RSA key ({bits} bits)" if bits else "Ed25519 key"


def check_previous(selector: str, domain: str, lookup: Lookup) -> Finding:
    """After a rotation the old record stays published while mail signed with it is read."""
    name = record_name(selector, domain)
    try:
        records = lookup(name)
    except LookupFailed as exc:
        return Finding(PROBLEM, str(exc))
    if not records:
        return Finding(WARNING, f"The previous selector's record at {name} is gone: mail "
                                "signed with it before the rotation now fails DKIM when it "
                                "is checked again (forwarded, or read late). Keep it "
                                "published for a week or two after rotating.")
    return Finding(OK, f"{name} (previous selector) is still published: remove it, and "
                       "DKIM_PREVIOUS_SELECTOR, a week or two after the rotation.")
