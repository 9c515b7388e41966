"""How fast the receiver takes mail over LMTP: join requests, each a subscriber, a consent
record, an outbox row and an inbound record in its own transaction, sent on one connection.

    python bench/inbound_lmtp.py [--messages 500] [--database URL]

Prints messages per second. SQLite in a temporary folder by default; give --database an
empty PostgreSQL database to measure that.
"""

import argparse
import smtplib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from listserve import create_app  # noqa: E402
from listserve.inbound.server import InboundController  # noqa: E402
from tests.inbound.helpers import JOIN, mail  # noqa: E402
from tests.support import free_port  # noqa: E402


def run(count: int, url: str | None) -> None:
    tmp = Path(tempfile.mkdtemp())
    app = create_app({
        "SECRET_KEY": "bench", "BASE_URL": "http://localhost", "LIST_DOMAIN": "lists.example.org",
        "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{tmp / 'bench.db'}",
        "MAILBOX_DIR": str(tmp / "mailbox"),
    })
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    controller = InboundController(app, "127.0.0.1", free_port())
    controller.start()
    try:
        joins = [mail(f"person{i}@example.net", JOIN, "join") for i in range(count)]
        with smtplib.LMTP("127.0.0.1", controller.port) as client:
            client.ehlo()
            start = time.perf_counter()
            for i, data in enumerate(joins):
                client.sendmail(f"person{i}@example.net", [JOIN], data)
            elapsed = time.perf_counter() - start
        print(f"join by email: {count} messages in {elapsed:.2f} s = {count / elapsed:.0f} msg/s "
              f"({app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]})")
    finally:
        controller.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--database")
    args = parser.parse_args()
    run(args.messages, args.database)
