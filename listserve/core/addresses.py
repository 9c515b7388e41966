"""Email addresses as people type them, turned into the one form we store and compare."""

import hashlib

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
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidAddress(str(exc)) from None
    return result.normalized, result.normalized.lower()


def address_hash(key: str) -> str:
    """The only trace an erased address leaves: a SHA-256 of its comparison key."""
    return hashlib.sha256(key.encode()).hexdigest()
