"""Idempotency-Key on POSTs that send mail: a retried call gets the first answer again and
sends nothing twice. Keys are per token; the same key with another request is refused."""

import hashlib

import sqlalchemy as sa
from flask import Response, request
from werkzeug.exceptions import UnprocessableEntity

from listserve.api.models import IdempotentResponse
from listserve.extensions import db

HEADER = "Idempotency-Key"


def _key() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 200 or not key.isprintable():
        raise UnprocessableEntity(f"{HEADER} must be 1 to 200 printable characters.")
    return key


def _request_hash() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def kept_response(token_id: int) -> Response | None:
    """The answer given before to this key, or None when the key is new (or absent)."""
    key = _key()
    if key is None:
        return None
    kept = db.session.scalar(sa.select(IdempotentResponse).where(
        IdempotentResponse.token_id == token_id, IdempotentResponse.key == key))
    if kept is None:
        return None
    if kept.request_hash != _request_hash():
        raise UnprocessableEntity(f"This {HEADER} was used for another request.")
    response = Response(kept.body, kept.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def keep_response(token_id: int, response: Response) -> None:
    key = _key()
    if key is None:
        return
    db.session.add(IdempotentResponse(
        token_id=token_id, key=key, request_hash=_request_hash(),
        status_code=response.status_code, body=response.get_data(as_text=True)))
    db.session.flush()
