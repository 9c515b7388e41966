"""Import an mbox of N generated list messages into a list's archive and print messages/s next
to Python's `mailbox` module merely parsing the same file, in the same run.

    python bench/import_archive.py --messages 50000
    python bench/import_archive.py --messages 50000 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/x

The database is named by --database-url or LISTSERVE_SQLALCHEMY_DATABASE_URI (SQLite in a
temporary folder when neither is set; on PostgreSQL a database of the bench's own is made and
dropped). The file mixes plain, quoted-printable, RFC 2047 and multipart messages, a third of
them replies. Target: import ≥ 0.5× the bare parse (issue 24), on PostgreSQL.
"""

import argparse
import mailbox
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from listserve import create_app  # noqa: E402
from listserve.archive.mbox_import import import_mbox  # noqa: E402
from listserve.core.lists import MailingList  # noqa: E402
from listserve.extensions import db  # noqa: E402
from tests.support import private_database  # noqa: E402


def fresh_database(url: str | None, tmp: Path):
    """(url, drop): a database of the bench's own on the server named."""
    if not url or url.startswith("sqlite"):
        return f"sqlite:///{tmp / 'bench.db'}", lambda: None
    return private_database(url, "listserve_bench")


def write_mbox(path: Path, count: int) -> None:
    with path.open("wb") as out:
        for i in range(count):
            thread = i - i % 3
            head = [f"From person{i % 500}@example.org Mon Mar  4 10:00:00 2019",
                    f"From: Person {i % 500} <person{i % 500}@example.org>",
                    f"Date: Mon, {i % 28 + 1:02d} Mar 2019 {i % 24:02d}:{i % 60:02d}:00 +0000",
                    f"Message-ID: <m{i}@example.org>"]
            if i % 3:
                head += [f"Subject: Re: Topic number {thread}",
                         f"In-Reply-To: <m{i - 1}@example.org>",
                         f"References: <m{thread}@example.org> <m{i - 1}@example.org>"]
            elif i % 2:
                head.append(f"Subject: =?utf-8?q?Caf=C3=A9_topic_number_{thread}?=")
            else:
                head.append(f"Subject: Topic number {thread}")
            body = (f"> quoted line from the message before\n\nHello all, message {i}.\n"
                    + "Some more words about the topic at hand, as people write.\n" * 8)
            if i % 5 == 0:
                head += ["MIME-Version: 1.0",
                         'Content-Type: multipart/mixed; boundary="B"', ""]
                part = ["--B", "Content-Type: text/plain; charset=utf-8",
                        "Content-Transfer-Encoding: quoted-printable", "",
                        body.replace("Hello", "H=C3=A9llo"),
                        "--B", 'Content-Type: application/pdf; name="a.pdf"',
                        "Content-Disposition: attachment; filename=a.pdf",
                        "Content-Transfer-Encoding: base64", "", "JVBERi0xLjQ=", "--B--"]
                text = "\n".join(head + part)
            else:
                head += ["Content-Type: text/plain; charset=utf-8", ""]
                text = "\n".join(head) + "\n" + body
            out.write(text.encode() + b"\n\n")


def bare_parse(path: Path) -> float:
    """Messages/s of `mailbox.mbox` reading every message (no decoding, no database)."""
    start, cpu = time.perf_counter(), time.process_time()
    n = sum(1 for _ in mailbox.mbox(str(path)))
    bare_parse.cpu = time.process_time() - cpu
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--database-url", default=os.environ.get(
        "LISTSERVE_SQLALCHEMY_DATABASE_URI"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        path = tmp / "list.mbox"
        write_mbox(path, args.messages)
        url, drop = fresh_database(args.database_url, tmp)
        try:
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                              "INSTANCE_PATH": str(tmp), "LIST_DOMAIN": "lists.example.org"})
            with app.app_context():
                upgrade(directory=app.extensions["migrate"].directory)
                talk = MailingList(slug="talk", name="Talk", domain="lists.example.org",
                                   kind="discussion")
                db.session.add(talk)
                db.session.commit()
                parse_rate = bare_parse(path)
                start, cpu = time.perf_counter(), time.process_time()
                report = import_mbox(path.read_bytes(), talk.id)
                elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
                again = import_mbox(path.read_bytes(), talk.id)
                db.session.remove()
        finally:
            drop()
    rate = report.imported / elapsed
    print(f"database: {url.split(':')[0]}  messages: {args.messages}")
    print(f"mailbox.mbox bare parse : {parse_rate:10.0f} msg/s")
    print(f"listserve archive import: {rate:10.0f} msg/s  ({report.imported} imported, "
          f"{report.threads} threads, {len(report.malformed)} malformed)")
    print(f"ratio import / bare parse: {rate / parse_rate:.2f}  (target >= 0.5)")
    print(f"CPU of this process: import {cpu * 1e6 / report.imported:.0f} µs a message "
          f"(its threads too; not the database server's), bare parse "
          f"{bare_parse.cpu * 1e6 / args.messages:.0f} µs a message")
    print(f"second import: {again.imported} imported, {again.duplicates} already there")


if __name__ == "__main__":
    main()
