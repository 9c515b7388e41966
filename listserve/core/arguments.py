"""The query string: numbers (`?page=`, `?id=`, …) read one way everywhere, and no NUL.

A number that no row and no page can have — negative, or beyond what an integer column holds
(2^31 and more would make PostgreSQL refuse the query) — names nothing: the answer is our
404 page. A value that is not a number at all is taken as absent, as werkzeug's `type=int`
always did here (`?page=abc` shows the first page).

A NUL byte (`%00`) in the query string is refused with a 400 before any view runs: no column
stores one (PostgreSQL refuses them in text), and no browser puts one there from a form.
"""

import re

from flask import Flask, abort, request

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


NUL_IN_QUERY = ("This address contains a NUL character (%00), which no page takes. "
                "Go back and send the form again without it.")


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_in_query)


def refuse_nul_in_query() -> None:
    raw = request.query_string
    # Parse only when the raw bytes hint at a NUL: most requests pay one substring search.
    if (b"%00" in raw or b"\0" in raw) and any(
        "\0" in key or "\0" in value for key, value in request.args.items(multi=True)
    ):
        abort(400, NUL_IN_QUERY)
