"""The real command, `python -m listserve inbound`, as a separate process: join by email
through it, confirm by replying through it, then stop it cleanly with SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.inbound.helpers import JOIN, mail, send
from tests.subscriptions.helpers import subscription_of
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]


class ReceiverProcess:
    def __init__(self, config: dict, tmp_path: Path):
        self.port = free_port()
        env = {
            **os.environ,
            "LISTSERVE_SQLALCHEMY_DATABASE_URI": config["SQLALCHEMY_DATABASE_URI"],
            "LISTSERVE_SECRET_KEY": config["SECRET_KEY"],
            "LISTSERVE_BASE_URL": config["BASE_URL"],
            "LISTSERVE_LIST_DOMAIN": config["LIST_DOMAIN"],
            "LISTSERVE_MAILBOX_DIR": str(tmp_path / "mailbox"),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "listserve", "inbound", "--port", str(self.port)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        self._wait_until_listening()

    def _wait_until_listening(self, patience: float = 20.0) -> None:
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(self.process.stdout.read().decode())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.process.kill()
        raise AssertionError("listserve inbound did not start listening")

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        output, _ = self.process.communicate(timeout=20)
        return self.process.returncode, output.decode()


@pytest.fixture
def inbound_receiver(app, app_config, tmp_path):
    """Overrides the in-process receiver: here it is the real command in its own process."""
    receiver = ReceiverProcess(app_config, tmp_path)
    yield receiver
    if receiver.process.poll() is None:
        receiver.process.kill()
        receiver.process.wait()


def test_the_inbound_command_joins_by_email(inbound_receiver, app, deliver, smtp_sink):
    data = mail("Olga <olga@example.net>", JOIN, "join")
    assert send(inbound_receiver.port, "olga@example.net", JOIN, data) == 250
    deliver()
    [confirmation] = smtp_sink.to("olga@example.net")
    reply_to = confirmation.message["Reply-To"].addresses[0].addr_spec
    send(inbound_receiver.port, "olga@example.net", reply_to, mail("olga@example.net", reply_to))
    assert subscription_of(app, "olga@example.net").status == "confirmed"

    code, output = inbound_receiver.stop()
    assert code == 0, output
    assert f"LMTP on 127.0.0.1:{inbound_receiver.port}" in output
