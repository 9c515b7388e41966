"""Time the archive's heaviest pages: a post with 500 comments, the list, and a search.

    python bench/archive_pages.py            # SQLite in a temporary folder
    LISTSERVE_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
        python bench/archive_pages.py        # a private PostgreSQL database, dropped after
"""

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from listserve import create_app  # noqa: E402
from listserve.extensions import db  # noqa: E402
from tests.archive.helpers import add_comment, make_post  # noqa: E402
from tests.support import make_test_database  # noqa: E402

ROUNDS = 30


def fill(app) -> str:
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        start = datetime(2026, 1, 1, tzinfo=UTC)
        for i in range(60):
            make_post(f"Announcement {i}", f"Body {i} on cooperatives", start + timedelta(days=i))
        big = make_post("Big", "The most discussed post", start + timedelta(days=90))
        tops = [add_comment(big, f"Comment {i} on solidarity", email=f"r{i % 50}@example.org")
                for i in range(400)]
        for i in range(100):
            add_comment(big, f"Reply {i}", parent=tops[i], email="ben@example.org")
        db.session.commit()
        return f"/archive/{big.year}/{big.slug}"


def timed(client, url) -> float:
    client.get(url)  # warm up
    began = time.perf_counter()
    for _ in range(ROUNDS):
        assert client.get(url).status_code == 200
    return (time.perf_counter() - began) / ROUNDS * 1000


def main() -> None:
    url, drop = make_test_database(tempfile.mkdtemp())
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        big = fill(app)
        client = app.test_client()
        engine = url.split(":", 1)[0]
        for label, page in [("post with 500 comments", big), ("archive list", "/archive"),
                            ("search", "/archive/search?q=solidarity")]:
            print(f"{engine:>22}  {label:<24} {timed(client, page):7.1f} ms per request")
        with app.app_context():
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
