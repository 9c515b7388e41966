"""Full-text search of the archive: subjects, bodies and published comments.

SQLite uses the FTS5 tables and PostgreSQL the GIN expression indexes that the migration
0004_archive creates by hand (autogenerate knows neither, so is_search_index() keeps them out
of the models-versus-migrations comparison). What people type is reduced to plain words
before it reaches either engine, so no query can raise a syntax error.
"""

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup, escape

from listserve.archive.list_archives import in_list
from listserve.archive.models import Post
from listserve.core.db import is_postgresql
from listserve.extensions import db

MAX_TERMS = 12
MAX_COMMENT_EXCERPTS = 3
START, STOP = "\x02", "\x03"  # marks around matched words, turned into <mark> after escaping
SEARCH_INDEX_NAMES = frozenset({"ix_post_search", "ix_comment_search"})
_FTS_TABLE = re.compile(r"^(post|comment)_fts(_\w+)?$")

_SQLITE_MATCHING = """
SELECT rowid AS post_id FROM post_fts WHERE post_fts MATCH :q
UNION
SELECT comment.post_id FROM comment_fts JOIN comment ON comment.id = comment_fts.rowid
WHERE comment_fts MATCH :q AND comment.status = 'published'
"""
_SQLITE_POST_EXCERPTS = """
SELECT rowid AS post_id, snippet(post_fts, 1, char(2), char(3), '…', 24) AS excerpt
FROM post_fts WHERE post_fts MATCH :q AND rowid IN :ids
"""
_SQLITE_COMMENT_EXCERPTS = """
SELECT comment.post_id, comment.id, comment.author_name,
       snippet(comment_fts, 0, char(2), char(3), '…', 24) AS excerpt
FROM comment_fts JOIN comment ON comment.id = comment_fts.rowid
WHERE comment_fts MATCH :q AND comment.status = 'published' AND comment.post_id IN :ids
ORDER BY comment.id
"""
# The to_tsvector(...) expressions are exactly those of the GIN indexes, so they are used.
# Written out in full (no string building) so every statement reads as it runs.
_PG_MATCHING = """
SELECT post.id AS post_id FROM post
WHERE to_tsvector('english', post.subject || ' ' || post.body_markdown)
      @@ plainto_tsquery('english', :q)
UNION
SELECT comment.post_id FROM comment
WHERE to_tsvector('english', comment.body_markdown) @@ plainto_tsquery('english', :q)
  AND comment.status = 'published'
"""
_PG_POST_EXCERPTS = """
SELECT post.id AS post_id,
       ts_headline('english', post.body_markdown, plainto_tsquery('english', :q), :options)
       AS excerpt
FROM post
WHERE to_tsvector('english', post.subject || ' ' || post.body_markdown)
      @@ plainto_tsquery('english', :q)
  AND post.id IN :ids
"""
_PG_COMMENT_EXCERPTS = """
SELECT comment.post_id, comment.id, comment.author_name,
       ts_headline('english', comment.body_markdown, plainto_tsquery('english', :q), :options)
       AS excerpt
FROM comment
WHERE to_tsvector('english', comment.body_markdown) @@ plainto_tsquery('english', :q)
  AND comment.status = 'published' AND comment.post_id IN :ids
ORDER BY comment.id
"""
_PG_HEADLINE_OPTIONS = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=10"


@dataclass
class CommentExcerpt:
    comment_id: int
    author_name: str
    excerpt: Markup


@dataclass
class SearchHit:
    post: Post
    excerpt: Markup | None = None
    comments: list[CommentExcerpt] = field(default_factory=list)


@dataclass
class SearchResults:
    query: str
    page: int
    per_page: int
    total: int = 0
    hits: list[SearchHit] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def is_search_index(name: str | None) -> bool:
    """True for the hand-made search tables and indexes (left out of drift checks)."""
    return bool(name) and (name in SEARCH_INDEX_NAMES or bool(_FTS_TABLE.match(name)))


def search_terms(text: str) -> list[str]:
    """The words of a query as people type it; punctuation and operators are dropped."""
    return re.findall(r"\w+", text or "")[:MAX_TERMS]


def search_archive(query: str, page: int = 1, per_page: int = 20,
                   mailing_list=None) -> SearchResults:
    """Posts whose subject, body or a published comment has every word of `query`,
    newest first, with highlighted excerpts. Never raises on what people type."""
    page = max(1, page)
    results = SearchResults(query=query, page=page, per_page=per_page)
    terms = search_terms(query)
    if not terms:
        return results
    postgresql = is_postgresql()
    q = " ".join(terms) if postgresql else " ".join(f'"{term}"' for term in terms)
    matching = (
        sa.text(_PG_MATCHING if postgresql else _SQLITE_MATCHING)
        .bindparams(q=q)
        .columns(post_id=sa.Integer)
        .subquery()
    )
    found = Post.id.in_(sa.select(matching.c.post_id)) & in_list(mailing_list)
    results.total = db.session.scalar(sa.select(sa.func.count(Post.id)).where(found))
    posts = db.session.scalars(
        sa.select(Post)
        .where(found)
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    results.hits = [SearchHit(post) for post in posts]
    if posts:
        _add_excerpts(results.hits, q, postgresql)
    return results


def _add_excerpts(hits: list[SearchHit], q: str, postgresql: bool) -> None:
    by_post = {hit.post.id: hit for hit in hits}
    params = {"q": q, "ids": list(by_post)}
    if postgresql:
        params["options"] = _PG_HEADLINE_OPTIONS
    ids = sa.bindparam("ids", expanding=True)
    post_sql = _PG_POST_EXCERPTS if postgresql else _SQLITE_POST_EXCERPTS
    for row in db.session.execute(sa.text(post_sql).bindparams(ids), params):
        by_post[row.post_id].excerpt = highlight(row.excerpt)
    comment_sql = _PG_COMMENT_EXCERPTS if postgresql else _SQLITE_COMMENT_EXCERPTS
    for row in db.session.execute(sa.text(comment_sql).bindparams(ids), params):
        hit = by_post[row.post_id]
        if len(hit.comments) < MAX_COMMENT_EXCERPTS:
            hit.comments.append(CommentExcerpt(row.id, row.author_name, highlight(row.excerpt)))


def highlight(excerpt: str) -> Markup:
    """Escape an excerpt, then show the matched words as <mark>."""
    escaped = str(escape(excerpt.replace("\x00", "")))
    return Markup(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S704
