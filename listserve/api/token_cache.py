"""Verified API tokens kept in this process for a moment (API_TOKEN_CACHE_SECONDS, default 2;
0 turns it off), keyed by the token's SHA-256, so most calls make no query for their token.

What this costs: a token revoked, or a member demoted or disabled, in ANOTHER process (another
gunicorn worker, `listserve api-token revoke`) still works here for at most that many seconds.
In this process every change is seen at once: a flush that touches a token or a committee
member (the ORM, or an UPDATE / DELETE statement on their tables) empties the cache, and so does
the commit after it (a call that read the old row between the two cannot keep it).
"""

import threading
import time
from itertools import chain

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import ORMExecuteState, Session

from listserve.api.models import ApiToken
from listserve.committee.models import CommitteeMember

WATCHED = (ApiToken, CommitteeMember)
WATCHED_TABLES = {model.__table__ for model in WATCHED}
LAST_USE_ONLY = {"api_last_use_only": True}  # the last-use write changes nothing cached
_CHANGED = "api_tokens_changed"


class TokenRow:
    """What a call needs of its token and member (TOKEN_QUERY's columns), as plain values."""

    __slots__ = ("id", "name", "prefix", "scopes", "member_id", "expires_at", "revoked_at",
                 "last_used_at", "role", "enabled", "can_log_in")

    def __init__(self, *values):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)


class TokenCache:
    clock = staticmethod(time.monotonic)

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._rows: dict[str, tuple[float, TokenRow]] = {}
        self._lock = threading.Lock()

    def get(self, token_hash: str) -> TokenRow | None:
        kept = self._rows.get(token_hash)
        if kept is None or kept[0] <= self.clock():
            return None
        return kept[1]

    def put(self, token_hash: str, row: TokenRow) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            if len(self._rows) > 10_000:  # many tokens: start again rather than grow
                self._rows.clear()
            self._rows[token_hash] = (self.clock() + self.seconds, row)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


def init_app(app: Flask) -> None:
    app.extensions["api_token_cache"] = TokenCache(app.config["API_TOKEN_CACHE_SECONDS"])
    if not getattr(init_app, "listening", False):  # session events are process-wide
        sa.event.listen(Session, "after_flush", _after_flush)
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_rollback", _after_rollback)
        sa.event.listen(Session, "do_orm_execute", _on_statement)
        init_app.listening = True


def cache() -> TokenCache:
    return current_app.extensions["api_token_cache"]


def _forget(session: Session) -> None:
    if has_app_context() and "api_token_cache" in current_app.extensions:
        session.info[_CHANGED] = True
        cache().clear()


def _after_flush(session: Session, flush_context) -> None:
    touched = chain(session.new, session.dirty, session.deleted)
    if any(isinstance(instance, WATCHED) for instance in touched):
        _forget(session)


def _on_statement(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete) or state.execution_options.get(
            "api_last_use_only"):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table in WATCHED_TABLES:
        _forget(state.session)


def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False) and has_app_context():
        cache().clear()


def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)
