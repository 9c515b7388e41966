"""API tokens: made by a committee member for themself, shown once, stored as a SHA-256.

A token is 32 random bytes: a hash is enough to keep it (no password stretching is needed for
a secret nobody chose), and one indexed lookup finds it on every call.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from listserve.api.models import ADMIN_MEMBER_SCOPES, ApiToken, Scope
from listserve.committee.audit import record_audit
from listserve.committee.models import CommitteeMember
from listserve.core.db import utcnow
from listserve.core.headers import has_control_characters
from listserve.extensions import db

TOKEN_PREFIX = "lst_"  # noqa: S105  (a marker, not a secret)


class TokenRefused(ValueError):
    """The token cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token, shown once and never again


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def scopes_allowed(member: CommitteeMember) -> list[str]:
    """The scopes this member may hold now: a token never does more than its member."""
    return [scope.value for scope in Scope
            if member.is_admin or scope not in ADMIN_MEMBER_SCOPES]


def create_token(member: CommitteeMember, name: str, scopes: list[str],
                 expires_at: datetime | None = None, via: str = "web") -> NewToken:
    """A new token for `member`. Raises TokenRefused (no name, unknown or too wide scopes,
    an expiry in the past)."""
    name = (name or "").strip()
    if not name or len(name) > 100 or has_control_characters(name):
        raise TokenRefused(_("Give the token a name of up to 100 characters."))
    wanted = sorted(set(scopes))
    if not wanted:
        raise TokenRefused(_("Choose at least one scope."))
    unknown = [scope for scope in wanted if scope not in {s.value for s in Scope}]
    if unknown:
        raise TokenRefused(_("Unknown scope: %(scopes)s.", scopes=", ".join(unknown)))
    beyond = [scope for scope in wanted if scope not in scopes_allowed(member)]
    if beyond:
        raise TokenRefused(
            _("Your role does not allow the scope %(scopes)s.", scopes=", ".join(beyond)))
    if expires_at is not None and expires_at <= utcnow():
        raise TokenRefused(_("The expiry must be in the future."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(member_id=member.id, name=name, prefix=secret[:10],
                     token_hash=hash_token(secret), scopes=" ".join(wanted),
                     expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    record_audit(member, "api_token.created", "api_token", token.id,
                 detail={"name": name, "scopes": wanted, "via": via,
                         "expires": expires_at.isoformat() if expires_at else None})
    return NewToken(token, secret)


def revoke_token(actor: CommitteeMember | str, token: ApiToken) -> bool:
    """Revoke; idempotent. Return True when this call revoked it."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.flush()
    record_audit(actor, "api_token.revoked", "api_token", token.id,
                 detail={"name": token.name, "member": token.member.email})
    return True


def list_tokens(member: CommitteeMember | None = None) -> list[ApiToken]:
    """A member's tokens (everyone's with None), newest first."""
    query = sa.select(ApiToken).order_by(ApiToken.id.desc())
    if member is not None:
        query = query.where(ApiToken.member_id == member.id)
    return list(db.session.scalars(query))


def get_token(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    """"active", "revoked" or "expired", as the token list shows it."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (now or utcnow()):
        return "expired"
    return "active"
