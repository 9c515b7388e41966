"""Import N generated subscribers and print rows/s and peak memory.

    python bench/import.py --rows 100000
    python bench/import.py --rows 100000 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/x

The database is named by --database-url or LISTSERVE_SQLALCHEMY_DATABASE_URI (SQLite in a
temporary folder when neither is set). On PostgreSQL a fresh database of its own is created
on that server and dropped afterwards, so nothing shared is touched. The file holds 1 %
duplicate and 0.5 % invalid lines, as real files do.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from listserve import create_app  # noqa: E402
from listserve.extensions import db  # noqa: E402
from listserve.subscriptions.manage.importing import import_subscribers  # noqa: E402
from tests.support import private_database  # noqa: E402


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("email,name,status,consent_date\n")
        for i in range(rows):
            if i % 200 == 199:
                out.write(f"broken-address-{i},Nobody,,\n")
            elif i % 100 == 99:
                out.write(f"Person.{i - 1}@Domain{(i - 1) % 997}.example.org,,,\n")
            else:
                date = f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}" if i % 3 == 0 else ""
                out.write(f"Person.{i}@Domain{i % 997}.example.org,Person {i},,{date}\n")


def fresh_database(url: str | None, tmp: Path):
    """(url, drop): a database of the bench's own on the server named."""
    if not url or url.startswith("sqlite"):
        return f"sqlite:///{tmp / 'bench.db'}", lambda: None
    return private_database(url, "listserve_bench")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get(
        "LISTSERVE_SQLALCHEMY_DATABASE_URI"))
    parser.add_argument("--already-confirmed", action="store_true",
                        help="import as confirmed (no confirmation mails queued)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        csv_path = tmp / "people.csv"
        write_csv(csv_path, args.rows)
        url, drop = fresh_database(args.database_url, tmp)
        try:
            run(url, csv_path, args, tmp)
        finally:
            drop()


def run(url: str, csv_path: Path, args, tmp: Path) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "INSTANCE_PATH": str(tmp), "LIST_DOMAIN": "lists.example.org"})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        before = peak_rss_mb()
        started = time.perf_counter()
        with csv_path.open(encoding="utf-8", newline="") as lines:
            report = import_subscribers(lines, "bench file", args.already_confirmed)
        db.session.commit()
        seconds = time.perf_counter() - started
        dialect = db.engine.dialect.name
        db.engine.dispose()
    print(f"database: {dialect}; {report.rows:,} rows in {seconds:.2f} s "
          f"= {report.rows / seconds:,.0f} rows/s")
    print(f"  {report.added:,} added, {report.duplicates:,} duplicates merged, "
          f"{report.invalid:,} invalid, {report.confirmations_queued:,} confirmation mails queued")
    print(f"  peak RSS {peak_rss_mb():.0f} MB (before the import: {before:.0f} MB)")


if __name__ == "__main__":
    main()
