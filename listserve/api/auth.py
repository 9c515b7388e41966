"""Who calls: the bearer token, its scopes and its member, checked on every call.

`@requires(scope)` sits right under `@bp.route`, so a call is refused (401, 403, 429) before
its arguments are read. A token acts with the smaller of its scopes and its member's role *now*:
a member who lost the admin role loses the admin scopes of every token they made. A call that
changes something is committed here, once, together with its audit event (member and token),
and with its stored answer when it carried an Idempotency-Key.

Verified tokens are kept in this process for API_TOKEN_CACHE_SECONDS (listserve.api.token_cache):
most calls then make no query for their token. Expiry is still checked on every call; a
revocation, or a change to the member, made in this process is seen at once, one made in another
process (a second gunicorn worker, the command line) within that many seconds.
"""

from datetime import timedelta
from functools import wraps

import sqlalchemy as sa
from flask import current_app, g, request
from werkzeug.exceptions import Conflict, Forbidden, Unauthorized

from listserve.api import idempotency, token_cache
from listserve.api.models import ADMIN_MEMBER_SCOPES, ApiToken, Scope
from listserve.api.tokens import hash_token
from listserve.committee.audit import record_audit
from listserve.committee.models import CommitteeMember, Role
from listserve.core.db import is_postgresql, utcnow
from listserve.extensions import db

CHANGES = ("POST", "PUT", "PATCH", "DELETE")
LAST_USE_EVERY = timedelta(minutes=1)  # last use is written at most this often per token

# endpoint -> (scope, whether the member must be an admin): the table tests read this.
REQUIREMENTS: dict[str, tuple[str, bool]] = {}


class Caller:
    """The token of this call and its member, read in one query as plain values (or from the
    cache of verified tokens); the member's row is loaded only by the calls that act as them."""

    __slots__ = ("token_id", "token_label", "token_prefix", "member_id", "member_admin",
                 "scopes", "_member")

    def __init__(self, row: token_cache.TokenRow):
        self.token_id, self.token_prefix, self.member_id = row.id, row.prefix, row.member_id
        self.token_label = f"{row.name} ({row.prefix}…)"
        self.member_admin = row.role == Role.ADMIN
        self.scopes = {scope for scope in row.scopes.split()
                       if row.role == Role.ADMIN or scope not in ADMIN_MEMBER_SCOPES}
        self._member = None

    @property
    def member(self) -> CommitteeMember:
        if self._member is None:
            self._member = db.session.get(CommitteeMember, self.member_id)
        return self._member

    def may(self, scope: str) -> bool:
        return scope in self.scopes or Scope.ADMIN in self.scopes


def current_caller() -> Caller:
    return g.api_caller


def requires(scope: Scope, admin_member: bool = False, mails: bool = False,
             if_match: bool = False):
    """Refuse callers without `scope` (or whose member is not an admin, when asked); commit a
    successful change with its audit event; with `mails`, honour an Idempotency-Key; with
    `if_match`, document the If-Match header (the view checks it)."""

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            caller = _authenticate()
            if not caller.may(scope):
                raise Forbidden(f"This token lacks the {scope} scope.")
            if admin_member and not caller.member_admin:
                raise Forbidden("This token's member is not an admin.")
            if mails:
                kept = idempotency.kept_response(caller.token_id)
                if kept is not None:
                    return kept
            try:
                response = current_app.make_response(view(*args, **kwargs))
            except Exception:
                db.session.rollback()
                raise
            if request.method in CHANGES:
                _finish_change(caller, response, mails)
            return response

        REQUIREMENTS[f"api.{view.__name__}"] = (scope.value, admin_member)
        guarded._apidoc = dict(getattr(guarded, "_apidoc", {}))
        manual = dict(guarded._apidoc.get("manual_doc", {}))
        note = f"Scope: `{scope.value}`" + (" (and the token's member must be an admin)"
                                             if admin_member else "")
        if mails:
            note += ". Sends mail: send an `Idempotency-Key` header to make a retry safe"
        manual["description"] = ((manual.get("description") or "") + "\n\n" + note + ".").strip()
        headers = []
        if mails:
            headers.append({"in": "header", "name": "Idempotency-Key", "required": False,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                            "description": "A retry with the same key gets the first answer"})
        if if_match:
            headers.append({"in": "header", "name": "If-Match", "required": False,
                            "schema": {"type": "string"},
                            "description": "The ETag you read; another one gets 412"})
        if headers:
            manual["parameters"] = manual.get("parameters", []) + headers
        guarded._apidoc["manual_doc"] = manual
        return guarded

    return decorator


def audit_subject(subject_type: str, subject_id: int | None, **detail) -> None:
    """What the current call changed, for its audit event."""
    g.api_audit = (subject_type, subject_id, detail)


def _finish_change(caller: Caller, response, mails: bool) -> None:
    if response.status_code >= 400:
        db.session.rollback()
        return
    subject_type, subject_id, detail = g.get("api_audit") or ("api", None, {})
    record_audit(caller.member, f"api.{request.endpoint.removeprefix('api.')}", subject_type,
                 subject_id, detail={**detail, "via": "api", "token": caller.token_label,
                                     "token_id": caller.token_id,
                                     "request": f"{request.method} {request.path}"})
    if mails:
        idempotency.keep_response(caller.token_id, response)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        # The same Idempotency-Key in two calls at once: the first one won.
        db.session.rollback()
        raise Conflict("A call with this Idempotency-Key is already being handled.") from None


# One round trip: the token and what its member may do now (plain values, no ORM objects).
TOKEN_QUERY = (
    sa.select(ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.scopes, ApiToken.member_id,
              ApiToken.expires_at, ApiToken.revoked_at, ApiToken.last_used_at,
              CommitteeMember.role, CommitteeMember.enabled,
              CommitteeMember.password_hash.is_not(None).label("can_log_in"))
    .join(CommitteeMember, CommitteeMember.id == ApiToken.member_id)
    .where(ApiToken.token_hash == sa.bindparam("token_hash"))
)


def _autocommit() -> None:
    """A read on PostgreSQL runs without BEGIN and ROLLBACK: each SELECT is one round trip
    (as core.db.insert_row does for single writes). SQLAlchemy puts the connection's
    isolation level back when it returns to the pool."""
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _authenticate() -> Caller:
    caller = g.get("api_caller")
    if caller is not None:
        return caller
    reading = request.method in ("GET", "HEAD") and is_postgresql()
    if reading:
        _autocommit()
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Send a token: Authorization: Bearer lst_…")
    row = _token_row(hash_token(secret.strip()))
    now = utcnow()
    if row is None:
        raise Unauthorized("This token is not known.")
    if row.revoked_at is not None:
        raise Unauthorized("This token has been revoked.")
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthorized("This token has expired.")
    if not row.enabled or not row.can_log_in:
        raise Unauthorized("This token's member can no longer log in.")
    current_app.extensions["rate_limits"].hit(
        current_app.config["API_RATE_LIMIT"], "api", f"token:{row.id}"
    )
    if row.last_used_at is None or now - row.last_used_at >= LAST_USE_EVERY:
        row.last_used_at = now  # the cached row too: the next write is a minute away
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == row.id)
                           .values(last_used_at=now)
                           .execution_options(synchronize_session=False,
                                              **token_cache.LAST_USE_ONLY))
        db.session.commit()
        if reading:
            _autocommit()
    g.api_caller = caller = Caller(row)
    return caller


def _token_row(token_hash: str) -> token_cache.TokenRow | None:
    """The token's row from the cache, or from one query (Core: no ORM objects are made)."""
    cache = token_cache.cache()
    row = cache.get(token_hash)
    if row is None:
        found = db.session.connection().execute(TOKEN_QUERY, {"token_hash": token_hash}).first()
        if found is None:
            return None
        row = token_cache.TokenRow(*found)
        cache.put(token_hash, row)
    return row
