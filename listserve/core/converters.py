"""URL converters for every route: what a path may carry before any view sees it.

An id in a URL is looked up in an integer column. A number no such column can hold (2^31
and beyond on PostgreSQL, 2^63 on SQLite) would make the database refuse the query, so the
`int` converter stops at the largest value of a PostgreSQL integer and such a URL is simply
not found (404), like any other id that names nothing. Negative numbers never match (as in
werkzeug's converter). A NUL byte in a path segment names nothing either: no column holds one
(PostgreSQL refuses them in text), so `string` and `path` do not match it.
"""

from flask import Flask
from werkzeug.routing.converters import IntegerConverter, PathConverter, UnicodeConverter

# The largest value of a PostgreSQL `integer` (and of the ids SQLite hands out here).
LARGEST_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """werkzeug's `int`, bounded to what an integer column holds unless a rule says otherwise."""

    def __init__(self, map, fixed_digits=0, min=None, max=LARGEST_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


class TextConverter(UnicodeConverter):
    """werkzeug's default `string` converter, without NUL."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):
        super().__init__(map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]", 1)


class NulFreePathConverter(PathConverter):
    """werkzeug's `path`, without NUL."""

    regex = "[^/\\x00][^\\x00]*?"


def init_app(app: Flask) -> None:
    """Replace the converters before any blueprint adds its rules."""
    app.url_map.converters.update(
        int=IdConverter, default=TextConverter, string=TextConverter, path=NulFreePathConverter
    )
