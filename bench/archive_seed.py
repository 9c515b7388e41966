"""Load a large archive into a PostgreSQL database in a few set-based statements: 10k posts,
5k commenters and about 200k comments (most posts have 5 to 29, every hundredth has 300,
about a quarter of them replies, one in fifty hidden by the committee); and a discussion
list's archive: 200 threads of 25 messages, each reply answering the one before or the first.

Used by bench/web.py; the database must already be migrated.
"""

import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from listserve.archive.models import Comment, Commenter, Post

POSTS = 10_000
COMMENTERS = 5_000
NEWEST = datetime(2026, 6, 1, 9, tzinfo=UTC)
SPACING = timedelta(hours=12)


def comments_on(n: int) -> int:
    """How many comments post number n (1 = oldest) gets."""
    return 300 if n % 100 == 0 else 5 + 3 * (n % 9)


def _published_at(n: int) -> datetime:
    return NEWEST - (POSTS - n) * SPACING


# A typical post: the fourth newest, with 26 comments (and replies among them).
_TYPICAL = POSTS - 3
assert comments_on(_TYPICAL) == 26
TYPICAL_POST = f"/archive/announcements/{_published_at(_TYPICAL).year}/announcement-{_TYPICAL}"

POST_BODY = (
    "## What happened\n\nThe coordinating committee met on Tuesday and agreed the next steps "
    "for the **solidarity economy** mapping. Thank you to everyone who sent notes.\n\n"
    "- Regional gatherings in the spring\n- A shared directory of cooperatives\n"
    "- A fund for mutual aid\n\nRead the minutes and tell us what you think below."
)
POST_HTML = (
    "<h2>What happened</h2>\n<p>The coordinating committee met on Tuesday and agreed the next "
    "steps for the <strong>solidarity economy</strong> mapping. Thank you to everyone who sent "
    "notes.</p>\n<ul>\n<li>Regional gatherings in the spring</li>\n<li>A shared directory of "
    "cooperatives</li>\n<li>A fund for mutual aid</li>\n</ul>\n<p>Read the minutes and tell us "
    "what you think below.</p>"
)


def seed_archive(database_url: str) -> str:
    """Load the archive; return a line saying what was loaded and how long it took."""
    began = time.perf_counter()
    engine = sa.create_engine(database_url)
    post, commenter, comment = Post.__table__, Commenter.__table__, Comment.__table__
    assert (post.name, commenter.name, comment.name) == ("post", "commenter", "comment")
    with engine.begin() as conn:
        conn.execute(sa.text("""
            INSERT INTO post (id, year, slug, subject, body_markdown, body_html,
                                     published_at, list_id)
            SELECT n, extract(year FROM :newest - (:posts - n) * :spacing)::int,
                   'announcement-' || n, 'Announcement number ' || n || ': next steps',
                   :body, :html, :newest - (:posts - n) * :spacing,
                   (SELECT min(id) FROM mailing_list)
            FROM generate_series(1, :posts) AS n
        """), {"newest": NEWEST, "posts": POSTS, "spacing": SPACING,
               "body": POST_BODY, "html": POST_HTML})
        conn.execute(sa.text("""
            INSERT INTO commenter (id, email, email_key, verified_at, spammer, created_at)
            SELECT n, 'reader' || n || '@example.org', 'reader' || n || '@example.org',
                   :newest, false, :newest
            FROM generate_series(1, :commenters) AS n
        """), {"newest": NEWEST, "commenters": COMMENTERS})
        # Comment k on post n: every fourth answers the comment just before it (a top-level
        # one), so replies stay one level deep as the site makes them.
        conn.execute(sa.text("""
            INSERT INTO comment (id, post_id, parent_id, commenter_id, author_name,
                body_markdown, body_html, status, notify_replies, created_at, published_at)
            SELECT id, n, CASE WHEN k % 4 = 0 THEN id - 1 END, 1 + id % :commenters,
                   'Reader ' || (1 + id % :commenters),
                   'I agree with point ' || k || ': *cooperatives* first.',
                   '<p>I agree with point ' || k || ': <em>cooperatives</em> first.</p>',
                   CASE WHEN k % 50 = 0 THEN 'hidden' ELSE 'published' END, false,
                   published, published
            FROM (
                SELECT row_number() OVER (ORDER BY n, k) AS id, n, k,
                       :newest - (:posts - n) * :spacing + k * interval '1 minute' AS published
                FROM generate_series(1, :posts) AS n,
                     generate_series(1, CASE WHEN n % 100 = 0 THEN 300 ELSE 5 + 3 * (n % 9) END)
                         AS k
            ) AS numbered
        """), {"newest": NEWEST, "posts": POSTS, "spacing": SPACING, "commenters": COMMENTERS})
        for table in (post, commenter, comment):  # ids were given: move the sequences on
            conn.execute(sa.select(sa.func.setval(
                sa.func.pg_get_serial_sequence(table.name, "id"),
                sa.select(sa.func.max(table.c.id)).scalar_subquery(),
            )))
        counts = {t.name: conn.scalar(sa.select(sa.func.count()).select_from(t))
                  for t in (post, comment)}
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return (f"seeded {counts['post']} posts and {counts['comment']} comments "
            f"in {time.perf_counter() - began:.1f} s")


THREADS = 200
THREAD_SIZE = 25
# A typical thread: the tenth newest, 25 messages (replies to replies, quoted text folded).
TYPICAL_THREAD_ROOT = 9
MESSAGE_HTML = (
    '<details class="quoted"><summary>quoted text</summary><blockquote>Shall we meet at the '
    "community garden on Saturday? Bring tools if you can.</blockquote></details>\n<p>Yes, "
    "count me in. I will bring two spades and the seedlings from the cooperative's greenhouse; "
    "write to ann@ex\u2026 if you need a lift from the station.</p>\n<p>See you there,<br>\n"
    "Ann</p>"
)
MESSAGE_TEXT = ("> Shall we meet at the community garden on Saturday? Bring tools if you can.\n\n"
                "Yes, count me in. I will bring two spades and the seedlings.\n")


def seed_discussion(database_url: str, list_slug: str) -> str:
    """Load a discussion list's archive (the list must exist); return its typical thread's
    address. Post ids follow those seed_archive gave."""
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        list_id = conn.scalar(sa.text("SELECT id FROM mailing_list WHERE slug = :s"),
                              {"s": list_slug})
        first = conn.scalar(sa.text("SELECT coalesce(max(id), 0) + 1 FROM post"))
        # Message m (0-based) of thread t: id first + t * size + m; every third answers the
        # message just before it, the others the thread's first message.
        conn.execute(sa.text("""
            INSERT INTO post (id, year, slug, subject, body_markdown, body_html, published_at,
                              list_id, message_id, in_reply_to, "references", author_name,
                              author_email, thread_id)
            SELECT :first + t * :size + m, extract(year FROM at)::int,
                   'talk-' || t || '-' || m,
                   CASE WHEN m = 0 THEN '' ELSE 'Re: ' END || 'Garden day number ' || t,
                   :text, :html, at, :list_id, 'talk-' || t || '-' || m || '@example.net',
                   CASE WHEN m = 0 THEN NULL
                        WHEN m % 3 = 0 THEN 'talk-' || t || '-' || (m - 1) || '@example.net'
                        ELSE 'talk-' || t || '-0@example.net' END,
                   CASE WHEN m = 0 THEN NULL ELSE '<talk-' || t || '-0@example.net>' END,
                   'Member ' || (m % 7), 'member' || (m % 7) || '@example.net',
                   :first + t * :size
            FROM generate_series(0, :threads - 1) AS t, generate_series(0, :size - 1) AS m,
                 LATERAL (SELECT :newest - (:threads - t) * interval '1 day'
                                 + m * interval '10 minutes' AS at) AS timing
        """), {"first": first, "size": THREAD_SIZE, "threads": THREADS, "list_id": list_id,
               "text": MESSAGE_TEXT, "html": MESSAGE_HTML, "newest": NEWEST})
        conn.execute(sa.select(sa.func.setval(sa.func.pg_get_serial_sequence("post", "id"),
                                              sa.select(sa.func.max(Post.id)).scalar_subquery())))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE post")
    engine.dispose()
    root = first + (THREADS - 1 - TYPICAL_THREAD_ROOT) * THREAD_SIZE
    return f"/archive/{list_slug}/thread/{root}"
