"""`listserve serve` as the journeys meet it: a real server process on 127.0.0.1 with its
delivery worker, pointed at the test database and the test's SMTP sink."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


class LiveServer:
    """`listserve serve` (gunicorn and a delivery worker) in its own process group."""

    def __init__(self, port: int, env: dict, log_path: Path, workers: int = 1):
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "listserve", "serve", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--threads", "4"],
            cwd=REPOSITORY, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def wait_until_answering(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}):\n{self.log()}")
            try:
                page = self.url + "/subscribe/check-your-inbox"  # always http://127.0.0.1
                with urllib.request.urlopen(page, timeout=2):  # noqa: S310
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn stops, then stops its worker
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


def server_environment(database_url: str, smtp_port: int, port: int, mailbox: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISTSERVE_")}
    env.pop("DATABASE_URL", None)
    env.update({
        "LISTSERVE_SQLALCHEMY_DATABASE_URI": database_url,
        "LISTSERVE_BASE_URL": f"http://127.0.0.1:{port}",
        "LISTSERVE_SECRET_KEY": "browser-test-secret-key",
        "LISTSERVE_DEBUG": "false",
        "LISTSERVE_LIST_DOMAIN": "lists.example.org",
        "LISTSERVE_MAIL_SERVER": "127.0.0.1",
        "LISTSERVE_MAIL_PORT": str(smtp_port),
        "LISTSERVE_MAIL_TIMEOUT": "10",
        "LISTSERVE_MAILBOX_DIR": str(mailbox),
        "LISTSERVE_WORKER_POLL_SECONDS": "0.1",
        # The journeys write content from the test process (emptying the tables, the demo, a
        # post) and open a page at once: a server that looked at the content version only
        # once a second could answer with the page it kept from the previous journey.
        "LISTSERVE_PAGE_CACHE_CHECK_SECONDS": "0",
        "LISTSERVE_SUBSCRIBE_RATE_LIMIT": "1000 per minute",
        # Counts are kept in the instance folder's file (the default storage) from one run to
        # the next: a prefix of this server's own starts each run from zero.
        "LISTSERVE_RATELIMIT_KEY_PREFIX": f"journeys-{uuid.uuid4().hex}",
        # Every journey comes from 127.0.0.1, and the XSS corpus is posted as comments by one
        # reader: per-IP and per-address limits have their own tests elsewhere.
        "LISTSERVE_LOGIN_RATE_LIMIT": "1000 per minute",
        "LISTSERVE_COMMENT_RATE_LIMIT": "10000 per minute",
        "LISTSERVE_COMMENT_ADDRESS_HOURLY_LIMIT": "10000",
    })
    return env


def wait_for_mail(sink, address: str, count: int = 1, timeout: float = 20):
    """The mail the delivery worker has sent to `address`, once `count` copies arrived."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = sink.to(address)
        if len(messages) >= count:
            return messages
        time.sleep(0.1)
    raise AssertionError(f"{count} message(s) to {address} did not arrive in {timeout} s")


