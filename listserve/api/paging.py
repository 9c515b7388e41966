"""Cursor pagination (`limit`, `after`), and ETag / If-Match for updates."""

import hashlib
import json
from functools import wraps

import sqlalchemy as sa
from flask import Response, jsonify, request
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import BadRequest, PreconditionFailed

from listserve.api.inputs import Input

MAX_LIMIT = 500


class PageQuery(Input):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_LIMIT))
    after = fields.String(metadata={"description": "The next_cursor of the page before"},
                          validate=validate.Length(max=40))


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """{"items": [...], "next_cursor": "…" | null}"""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "next_cursor": fields.String(allow_none=True, required=True),
    }, name=name)


PLAIN_PAGE = {"limit", "after"}


def page_arguments(schema: type[PageQuery]):
    """`bp.arguments(schema, location="query", as_kwargs=True)`: documented and checked by the
    schema, except that the common call of a reader going through pages (only `limit` and
    `after`, as plain numbers within bounds) skips marshmallow: the same values reach the view,
    and anything else goes through the schema with its errors."""
    from listserve.api import bp

    def decorator(view):
        checked = bp.arguments(schema, location="query", as_kwargs=True)(view)

        @wraps(checked)
        def read(*args, **kwargs):
            plain = _plain_page()
            if plain is None:
                return checked(*args, **kwargs)
            return view(*args, **kwargs, **plain)

        return read

    return decorator


def _plain_page() -> dict | None:
    """limit and after as the schema would read them, or None when the schema must look."""
    args = request.args
    if not args.keys() <= PLAIN_PAGE:
        return None
    values = {}
    for key in args:
        given = args.getlist(key)
        if len(given) != 1 or not given[0].isascii() or not given[0].isdigit() \
                or len(given[0]) > 18:
            return None
        values[key] = given[0]
    limit = int(values.pop("limit", 50))
    if not 1 <= limit <= MAX_LIMIT:
        return None
    return {"limit": limit, **values}


def after_id(cursor: str | None) -> int:
    """The id a cursor stands for (0: from the start). Raises BadRequest."""
    if not cursor:
        return 0
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 18:
        raise BadRequest("This cursor is not one we gave out.")
    return int(cursor)


def keyset(statement: sa.Select, id_column, query: dict) -> sa.Select:
    """Rows after the cursor, in id order, one more than asked (to know if there is more)."""
    return (statement.where(id_column > after_id(query.get("after")))
            .order_by(id_column).limit(query["limit"] + 1))


def page_of(items: list[dict], limit: int) -> dict:
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": str(items[-1]["id"]) if more else None}


def etag_of(representation: dict) -> str:
    encoded = json.dumps(representation, sort_keys=True, default=str).encode()
    return '"' + hashlib.sha256(encoded).hexdigest()[:32] + '"'


def check_if_match(representation: dict) -> None:
    """412 when If-Match names another version than the one stored now."""
    wanted = request.headers.get("If-Match")
    if wanted is None or wanted.strip() == "*":
        return
    current = etag_of(representation)
    tags = [tag.strip().removeprefix("W/") for tag in wanted.split(",")]
    if current not in tags:
        raise PreconditionFailed("It changed since you read it: fetch it again (new ETag).")


def with_etag(representation: dict, status: int = 200) -> Response:
    response = jsonify(representation)
    response.status_code = status
    response.set_etag(etag_of(representation).strip('"'))
    return response
