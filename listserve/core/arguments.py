"""The query string: numbers (`?page=`, `?id=`, …) and text read one way everywhere.

A number that no row and no page can have — negative, or beyond what an integer column holds
(2^31 and more would make PostgreSQL refuse the query) — names nothing: the answer is our
404 page. A value that is not a number at all is taken as absent, as werkzeug's `type=int`
always did here (`?page=abc` shows the first page).

Text read straight from the query string (not through a form, whose rule in
listserve.core.forms covers it) goes through text_arg, which refuses a NUL byte.
"""

import re

from flask import abort, request
from flask_babel import lazy_gettext as _l

from listserve.core.converters import LARGEST_ID

_INTEGER = re.compile(r"\s*([+-]?)0*([0-9]+)\s*", re.ASCII)


def int_arg(name: str, default: int | None = None) -> int | None:
    """The query-string integer `name`, `default` when absent or not a number; 404 when it
    is a number out of range."""
    match = _INTEGER.fullmatch(request.args.get(name, ""))
    if match is None:
        return default
    sign, digits = match.groups()
    # Count digits before converting: int() of a 100 kB string of digits is slow (and refused).
    if len(digits) > len(str(LARGEST_ID)) or int(digits) > LARGEST_ID:
        abort(404)
    if sign == "-" and int(digits):
        abort(404)
    return int(digits)


def text_arg(name: str, default: str | None = None) -> str | None:
    """The query-string text `name` (`default` when absent or empty); a 400 with a message
    when it holds a NUL, which no column stores (PostgreSQL refuses them in text)."""
    text = request.args.get(name) or default
    if text and "\0" in text:
        abort(400, str(NUL_IN_QUERY))
    return text


NUL_IN_QUERY = _l("This address contains a NUL character (%00), which this page does not "
                "take. Go back and send it again without it.")
