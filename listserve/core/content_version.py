"""One number that changes whenever anything a public page shows changes.

Every transaction that writes a post, a comment, a commenter, the aims, the next steps, a page
text, the directory or a page version sets the number anew in the same transaction, just
before it commits; so a reader who sees the new number also sees the new content. Public pages
are cached against this number (listserve.core.pagecache).

The new number is random, not the old one plus one: a counter repeats its values after a
database is restored from a backup or emptied (the browser tests empty it between journeys),
and a web process would then serve pages it kept for other content under the same number.

Nobody has to remember to bump it: Session events notice the changes, whether they come as
objects (add, change, delete) or as UPDATE/DELETE/INSERT statements on those tables.
"""

import secrets

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from listserve.extensions import db

# A model whose rows a public page shows declares itself with `__table_args__ = PUBLIC_CONTENT`
# (or adds it as the last element of its tuple), so this module never imports a feature.
PUBLIC_CONTENT = {"info": {"public_content": True}}
CHANGED = "public_content_changed"  # a Session.info key: this transaction changed content


class ContentVersion(db.Model):
    """A single row (id 1); a missing row reads as version 0."""

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


def _public_tables() -> frozenset[str]:
    return frozenset(table.name for table in db.metadata.sorted_tables
                     if table.info.get("public_content"))


_tables: frozenset[str] | None = None


def public_tables() -> frozenset[str]:
    global _tables
    if _tables is None:
        _tables = _public_tables()
    return _tables


def read_version(connection: sa.Connection) -> int:
    table = ContentVersion.__table__
    return connection.scalar(sa.select(table.c.version).where(table.c.id == 1)) or 0


def bump_version(connection: sa.Connection) -> None:
    """Give the version a new value, creating its row if it is missing (an empty database)."""
    table = ContentVersion.__table__
    version = secrets.randbits(62) + 1  # never 0, what a missing row reads as
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(table).values(id=1, version=version)
    connection.execute(insert.on_conflict_do_update(
        index_elements=[table.c.id], set_={"version": version}
    ))


def _touches_public_content(objects) -> bool:
    tables = public_tables()
    return any(getattr(type(obj), "__tablename__", None) in tables for obj in objects)


@event.listens_for(Session, "before_flush")
def _note_changed_objects(session: Session, _context, _instances) -> None:
    if not session.info.get(CHANGED) and _touches_public_content(
        [*session.new, *session.dirty, *session.deleted]
    ):
        session.info[CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_statements(state) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in public_tables():
            state.session.info[CHANGED] = True


@event.listens_for(Session, "before_commit")
def _bump_before_commit(session: Session) -> None:
    session.flush()  # so changes still pending are noticed, and written before the counter
    if session.info.pop(CHANGED, False):
        bump_version(session.connection())
        session.info["public_content_committed"] = True


@event.listens_for(Session, "after_commit")
def _forget_pages_here(session: Session) -> None:
    # This process need not wait for its next look at the counter to see its own change.
    if session.info.pop("public_content_committed", False) and has_app_context():
        cache = current_app.extensions.get("page_cache")
        if cache is not None:
            cache.forget_version()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_change(session: Session) -> None:
    session.info.pop(CHANGED, None)
    session.info.pop("public_content_committed", None)
