"""Email addresses as people type them, turned into the one form we store and compare."""

import functools
import hashlib
import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from listserve.core.headers import is_header_safe


class InvalidAddress(ValueError):
    """The text is not a usable email address; the message says why, for the person."""


def normalise_address(raw: str) -> tuple[str, str]:
    """Return (address, key): the normalised address and its lower-cased comparison key.

    No DNS look-up: deliverability is proven by the confirmation mail, not by a resolver.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidAddress(_("Please enter an email address."))
    if not is_header_safe(text):
        raise InvalidAddress(_("An email address cannot contain line breaks."))
    address = _plain_address(text)
    if address is None:
        try:
            address = validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise InvalidAddress(str(exc)) from None
    return address, address.lower()


# The plain addresses nearly everyone types: an ASCII dot-atom before the @-sign (RFC 5322's
# atext, as email_validator reads it) and letters, digits, dots and hyphens after it.
_ATEXT = r"A-Za-z0-9_!#$%&'*+\-/=?^`{|}~"
_PLAIN = re.compile(rf"([{_ATEXT}]+(?:\.[{_ATEXT}]+)*)@([A-Za-z0-9.-]+)")
_MAX_LENGTH = 254  # of the address in each of its forms, in UTF-8 (RFC 3696 errata 1690)
try:  # the role names email_validator lower-cases (RFC 2142): those take its own road
    from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES as _ROLE_NAMES
except ImportError:  # pragma: no cover - a release that moved them: every address does
    _ROLE_NAMES = None


def _plain_address(text: str) -> str | None:
    """validate_email(text).normalized for a plain address on a domain whose check is kept,
    without checking the domain again; None for anything else (checked by validate_email).

    Most of validate_email's time goes to the domain (its IDNA and UTS-46 checks), and
    people sign up from a few domains. For a plain address the rest of its answer depends on
    the part before the @-sign alone: an ASCII dot-atom is kept as it is (a role name such
    as Postmaster is lower-cased, so those are left to it), and the address's three forms
    must fit in 254 octets. tests/subscriptions/test_address_cache.py holds the two to the
    same answers."""
    plain = _PLAIN.fullmatch(text)
    if plain is None or _ROLE_NAMES is None:
        return None
    local, domain = plain.groups()
    if local.lower() in _ROLE_NAMES:
        return None
    forms = _domain_forms(domain)
    if forms is None:
        return None
    normal, ascii_form = forms
    address = f"{local}@{normal}"
    if max(len(text), len(address.encode()), len(local) + 1 + len(ascii_form)) > _MAX_LENGTH:
        return None
    return address


@functools.lru_cache(maxsize=2048)
def _domain_forms(domain: str) -> tuple[str, str] | None:
    """(normalised, IDNA ASCII) forms of `domain` as validate_email gives them, or None when it
    refuses the domain (the address then goes to validate_email, for its message)."""
    try:
        checked = validate_email(f"a@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.domain, checked.ascii_domain


def address_hash(key: str) -> str:
    """The only trace an erased address leaves: a SHA-256 of its comparison key."""
    return hashlib.sha256(key.encode()).hexdigest()
