"""Real worker processes (`python -m listserve worker`) sharing one send: nobody gets two
copies, and a worker killed mid-send loses nobody."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.delivery.helpers import add_confirmed, announce, statuses

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def worker_env(app, **settings) -> dict:
    cfg = app.config
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "BASE_URL", "LIST_DOMAIN",
                "MAIL_SERVER", "MAIL_PORT", "MAILBOX_DIR"):
        env[f"LISTSERVE_{key}"] = str(cfg[key])
    for key, value in settings.items():
        env[f"LISTSERVE_{key}"] = str(value)
    return env


def start_worker(app, *args, **settings) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "listserve", "worker", *args],
        cwd=ROOT, env=worker_env(app, **settings),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_four_workers_share_one_send_and_each_person_gets_one_copy(app, smtp_sink):
    people = [f"p{n}@example.net" for n in range(400)]
    add_confirmed(app, people)
    mailing_id = announce(app)
    workers = [start_worker(app, "--burst", WORKER_BATCH_SIZE=10, WORKER_RESULT_GROUP=5)
               for _ in range(4)]
    handled = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        handled.append(int(out.split()[0]))
    counts = Counter(m.rcpt_tos[0] for m in smtp_sink.messages)
    assert set(counts) == set(people)
    assert set(counts.values()) == {1}
    assert sum(handled) == len(people)  # no copy was claimed by two workers
    assert set(statuses(app, mailing_id).values()) == {"sent"}


def test_a_killed_worker_loses_nobody(app, smtp_sink):
    people = [f"p{n}@example.net" for n in range(300)]
    add_confirmed(app, people)
    mailing_id = announce(app)
    settings = {"WORKER_BATCH_SIZE": 20, "WORKER_RESULT_GROUP": 5, "WORKER_LEASE_SECONDS": 2,
                "WORKER_POLL_SECONDS": 0.1}
    doomed = start_worker(app, "--rate", "150", **settings)
    deadline = time.monotonic() + 60
    while len(smtp_sink.messages) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    doomed.send_signal(signal.SIGKILL)
    doomed.communicate()
    assert 0 < len(smtp_sink.messages) < len(people)  # killed mid-send
    while time.monotonic() < deadline:  # the dead worker's lease runs out, then it is retaken
        finisher = start_worker(app, "--burst", **settings)
        _, err = finisher.communicate(timeout=60)
        assert finisher.returncode == 0, err
        if set(statuses(app, mailing_id).values()) == {"sent"}:
            break
        time.sleep(0.5)
    counts = Counter(m.rcpt_tos[0] for m in smtp_sink.messages)
    assert set(counts) == set(people)  # nobody lost
    assert sum(counts.values()) - len(people) <= 5  # at most the group in flight, again
    assert set(statuses(app, mailing_id).values()) == {"sent"}


def test_sigterm_finishes_the_group_and_gives_the_rest_back(app, smtp_sink):
    people = [f"p{n}@example.net" for n in range(200)]
    add_confirmed(app, people)
    mailing_id = announce(app)
    worker = start_worker(app, "--rate", "100", WORKER_BATCH_SIZE=50, WORKER_RESULT_GROUP=5,
                          WORKER_POLL_SECONDS=0.1)
    deadline = time.monotonic() + 60
    while len(smtp_sink.messages) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    handled = int(out.split()[0])
    final = statuses(app, mailing_id)
    assert Counter(final.values())["sent"] == handled == len(smtp_sink.messages)
    assert handled % 5 == 0 and handled < len(people)  # stopped at a group's end
    finisher = start_worker(app, "--burst")  # the rest was given back: no lease to wait out
    out, err = finisher.communicate(timeout=60)
    assert int(out.split()[0]) == len(people) - handled, err
