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
from flask_babel import gettext as _

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
            host, _colon, port = (server.rpartition(":") if server.count(":") == 1
                                  else (server, "", ""))
            servers.append(dns.nameserver.Do53Nameserver(host, int(port or 53)))
        resolver.nameservers = servers
    resolver.lifetime = timeout

    def lookup(name: str) -> list[str]:
        try:
            answer = resolver.resolve(name, "TXT")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except dns.resolver.LifetimeTimeout:
            raise LookupFailed(_("could not look up %(name)s: no DNS answer within %(timeout)s s",
                                 name=name, timeout=f"{timeout:g}")) from None
        except dns.exception.DNSException as exc:
            raise LookupFailed(_("could not look up %(name)s: %(error)s", name=name,
                                 error=exc)) from None
        return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]

    return lookup


def check_key(selector: str, domain: str, key, lookup: Lookup, setting: str) -> list[Finding]:
    """Is the record at selector._domainkey.domain the public half of `key`?"""
    name, kind = record_name(selector, domain), key_type(key)
    publish = _("Publish:") + f"\n    {zone_line(selector, domain, record_text(key))}"
    findings = _key_strength(key, setting)
    try:
        records = lookup(name)
    except LookupFailed as exc:
        return [*findings, Finding(PROBLEM, str(exc))]
    if not records:
        return [*findings, Finding(PROBLEM, _("No DKIM record at %(name)s: receivers cannot "
                                              "check mail signed with selector %(selector)s.",
                                              name=name, selector=selector) + " " + publish)]
    if len(records) > 1:
        return [*findings, Finding(PROBLEM, _("%(count)s TXT records at %(name)s: a receiver "
                                              "takes any one of them. Keep one.",
                                              count=len(records), name=name) + " " + publish)]
    tags = parse_tags(records[0])
    wrong = _record_fault(tags, kind)
    if wrong:
        return [*findings, Finding(PROBLEM, _("The record at %(name)s %(fault)s.", name=name,
                                              fault=wrong) + " " + publish)]
    if _decoded(tags["p"]) != public_bytes(key):
        return [*findings, Finding(PROBLEM, _("The record at %(name)s holds another key than "
                                              "the one in %(setting)s: every signature made "
                                              "with it fails.", name=name, setting=setting)
                                    + " " + publish)]
    if "y" in [flag.strip() for flag in tags.get("t", "").split(":")]:
        findings.append(Finding(PROBLEM, _("The record at %(name)s has t=y (testing): "
                                           "receivers treat mail signed with it as unsigned. "
                                           "When this check passes, publish it without t=y.",
                                           name=name)))
    else:
        findings.append(Finding(OK, _("%(name)s: the published key is the configured "
                                      "%(key)s.", name=name, key=_describe(key))))
    return findings


def _key_strength(key, setting: str) -> list[Finding]:
    bits = key_bits(key)
    if bits is not None and bits < 1024:
        return [Finding(PROBLEM, _("The key in %(setting)s is too short (%(bits)s bits): "
                                   "receivers ignore signatures by RSA keys under 1024 bits "
                                   "(RFC 8301). Make a new one with `listserve dkim keygen`.",
                                   setting=setting, bits=bits))]
    if bits is not None and bits < 2048:
        return [Finding(WARNING, _("The key in %(setting)s has %(bits)s bits; Gmail and Yahoo "
                                   "ask bulk senders for 2048. Rotate to a new key with "
                                   "`listserve dkim keygen`.", setting=setting, bits=bits))]
    return []


def _record_fault(tags: dict[str, str], kind: str) -> str | None:
    """What makes a record unusable for a key of this kind, in words, or None."""
    if tags.get("v", "DKIM1") != "DKIM1":
        return _("is not a DKIM key record (v=%(v)s, not v=DKIM1)", v=tags["v"])
    if tags.get("k", "rsa") != kind:
        return _("is for a k=%(k)s key, but the configured key is %(kind)s",
                 k=tags.get("k", "rsa"), kind=kind)
    if "p" not in tags:
        return _("has no p= (the public key)")
    if not tags["p"]:
        return _("is revoked (p= is empty)")
    if _decoded(tags["p"]) is None:
        return _("has a p= that is not base64")
    if "h" in tags and "sha256" not in [h.strip() for h in tags["h"].split(":")]:
        return _("allows only h=%(h)s, and our signatures use sha256", h=tags["h"])
    if tags.get("s", "*").strip() not in ("*", "email") and "email" not in tags["s"]:
        return _("is for service s=%(s)s, not email", s=tags["s"])
    if kind == "rsa":
        try:
            public = serialization.load_der_public_key(_decoded(tags["p"]))
        except ValueError:
            return _("has a p= that is not an RSA public key")
        if (key_bits(public) or 0) < 1024:
            return _("holds a key too short (%(bits)s bits): receivers ignore RSA keys under "
                     "1024 bits (RFC 8301)", bits=key_bits(public))
    return None


def _decoded(value: str) -> bytes | None:
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _describe(key) -> str:
    bits = key_bits(key)
    return _("RSA key (%(bits)s bits)", bits=bits) if bits else _("Ed25519 key")


def check_previous(selector: str, domain: str, lookup: Lookup) -> Finding:
    """After a rotation the old record stays published while mail signed with it is read."""
    name = record_name(selector, domain)
    try:
        records = lookup(name)
    except LookupFailed as exc:
        return Finding(PROBLEM, str(exc))
    if not records:
        return Finding(WARNING, _("The previous selector's record at %(name)s is gone: mail "
                                  "signed with it before the rotation now fails DKIM when it "
                                  "is checked again (forwarded, or read late). Keep it "
                                  "published for a week or two after rotating.", name=name))
    return Finding(OK, _("%(name)s (previous selector) is still published: remove it, and "
                         "DKIM_PREVIOUS_SELECTOR, a week or two after the rotation.", name=name))
