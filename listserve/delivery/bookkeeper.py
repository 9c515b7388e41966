"""Writing results from a thread of its own, so an SMTP connection never waits for the
database: while the bookkeeper commits one group, the connection sends the next.

At most one group waits to be written, so a worker that dies re-sends at most two groups —
the one being written and the one being sent — and never loses a copy: every copy it
claimed is either recorded or still leased, and an expired lease is claimed again.
"""

import queue
import threading
import time

from flask import Flask, current_app

from listserve.delivery.leases import begin_write, renew_lease
from listserve.delivery.results import Outcome, record_outcomes
from listserve.extensions import db


class Bookkeeper:
    def __init__(self, app: Flask, worker: str):
        self.app = app
        self.worker = worker
        self.groups: queue.Queue = queue.Queue(maxsize=1)
        self.failure: BaseException | None = None
        self.renewed = time.monotonic()
        self.thread = threading.Thread(target=self._run, name=f"bookkeeper {worker}",
                                       daemon=True)
        self.thread.start()

    def start_batch(self) -> None:
        """A fresh claim: its lease runs from now."""
        self.renewed = time.monotonic()

    def submit(self, outcomes: list[Outcome], still_held: list[int]) -> None:
        """Queue a group for writing (waits while the previous one is still queued)."""
        self.check()
        self.groups.put((outcomes, still_held))

    def wait(self) -> None:
        """Return once everything submitted is committed; raise what writing raised."""
        self.groups.join()
        self.check()

    def check(self) -> None:
        if self.failure is not None:
            raise self.failure

    def close(self) -> None:
        self.groups.put(None)
        self.thread.join()

    def _run(self) -> None:
        with self.app.app_context():
            while (item := self.groups.get()) is not None:
                try:
                    if self.failure is None:
                        self._write(*item)
                except BaseException as exc:  # handed to the sending thread by check()
                    db.session.rollback()
                    self.failure = exc
                finally:
                    self.groups.task_done()
            self.groups.task_done()
            db.session.remove()

    def _write(self, outcomes: list[Outcome], still_held: list[int]) -> None:
        # Pauses and cancels are read by the sender before each group, not here.
        lease = current_app.config["WORKER_LEASE_SECONDS"]
        begin_write()
        record_outcomes(outcomes)
        if time.monotonic() - self.renewed > lease / 2:
            renew_lease(still_held, self.worker, lease)
            self.renewed = time.monotonic()
        db.session.commit()
