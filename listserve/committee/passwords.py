"""Password hashing with argon2id. argon2-cffi's defaults (RFC 9106's low-memory profile:
t=3, m=64 MiB, p=4) exceed OWASP's minimum; ARGON2_PARAMETERS can change them (tests use a
cheap setting), and a hash made with other parameters is upgraded at the next login."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


@cache
def _hasher_for(parameters: tuple) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(**dict(parameters))
    # Verified against when no account matches, so a wrong address costs as long as a
    # wrong password and does not tell who has an account.
    return hasher, hasher.hash("not a real password, only here to spend the same time")


def _hasher() -> tuple[PasswordHasher, str]:
    parameters = current_app.config.get("ARGON2_PARAMETERS") or {}
    return _hasher_for(tuple(sorted(parameters.items())))


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher, dummy = _hasher()
    try:
        return hasher.verify(password_hash or dummy, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    return _hasher()[0].check_needs_rehash(password_hash)
