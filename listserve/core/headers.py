"""The guard every value passes before it can reach an email header.

CR, LF and NUL would let a person add headers (a Bcc, say) to mail we send; the other
characters Python treats as line breaks (U+2028, U+0085, …) are refused too, because parts of
the email package split on them. The check runs before anything is stored.
"""

import re

from flask_babel import gettext as _

# Everything str.splitlines() splits on, plus NUL.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
FORBIDDEN = LINE_BREAKS | {"\0"}


class UnsafeHeaderValue(ValueError):
    """A value meant for an email header holds a line break or NUL."""


_FORBIDDEN_RE = re.compile("[" + re.escape("".join(sorted(FORBIDDEN))) + "]")


def is_header_safe(value: str) -> bool:
    # A regex rather than a loop over characters: the worker checks every copy it sends.
    return _FORBIDDEN_RE.search(value) is None


def check_header_value(value: str, field: str = "value") -> str:
    """Return value unchanged, or raise UnsafeHeaderValue naming the field."""
    if not is_header_safe(value):
        raise UnsafeHeaderValue(
            _("The %(field)s must be on one line (no line breaks or NUL).", field=field))
    return value


# Unicode's control characters (category Cc, a set the standard never changes: U+0000-U+001F
# and U+007F-U+009F), less the tab; a test checks it against unicodedata.
_CONTROL_RE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def has_control_characters(value: str) -> bool:
    """Other control characters (tabs excepted) have no business in names and subjects."""
    # One regular expression rather than unicodedata.category() per character: every
    # subscribe POST checks its address and its name.
    return _CONTROL_RE.search(value) is not None
