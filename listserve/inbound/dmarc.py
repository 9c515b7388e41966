"""Whether a poster's domain asks receivers to refuse mail that is not signed by it (DMARC).

A list's copy of a post is signed by the list's domain, not the poster's: when the poster's
domain publishes p=quarantine or p=reject, receivers would drop the copies, so the copy's From
becomes "Name via List" <list address> with the poster in Reply-To (Mailman's "munge from").

The lookup goes through `resolver`, a callable taking a DNS name and returning its TXT strings;
tests (and the app config DMARC_RESOLVER) can put their own in its place.
"""

from collections.abc import Callable

import dns.exception
import dns.resolver
from flask import current_app

Resolver = Callable[[str], list[str]]
STRICT = {"quarantine", "reject"}


def dns_txt(name: str) -> list[str]:
    """The TXT records of `name` (none when it has none or DNS does not answer in time)."""
    try:
        answer = dns.resolver.resolve(name, "TXT", lifetime=3.0)
    except (dns.exception.DNSException, OSError):
        return []
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]


def current_resolver() -> Resolver:
    return current_app.config.get("DMARC_RESOLVER") or dns_txt


def dmarc_policy(domain: str, resolver: Resolver | None = None) -> str | None:
    """The p= of `domain`'s DMARC record (lower-cased), or None when it publishes none."""
    resolver = resolver or current_resolver()
    for record in resolver(f"_dmarc.{domain.strip('.').lower()}"):
        tags = dict(
            (part.partition("=")[0].strip().lower(), part.partition("=")[2].strip())
            for part in record.split(";") if "=" in part
        )
        if tags.get("v", "").upper() == "DMARC1":
            return tags.get("p", "none").lower()
    return None


def needs_munging(address: str, resolver: Resolver | None = None) -> bool:
    """True when a copy From `address` sent by the list would fail its domain's DMARC policy."""
    domain = address.rpartition("@")[2]
    return bool(domain) and dmarc_policy(domain, resolver) in STRICT


def list_sender(poster_name: str, poster_address: str, list_name: str, list_address: str,
                resolver: Resolver | None = None) -> tuple[str, str, str | None]:
    """(From name, From address, Reply-To) of the list's copies of a post."""
    if needs_munging(poster_address, resolver):
        who = poster_name or poster_address.partition("@")[0]
        return f"{who} via {list_name}", list_address, poster_address
    return poster_name, poster_address, None
