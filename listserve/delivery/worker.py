"""The delivery worker: claim a batch of due copies with a lease, send them over one SMTP
connection, record each result. Any number of workers can run; an expired lease (a worker
that died) is claimed again, so nothing is lost. A worker runs WORKER_CONCURRENCY
connections, each a thread with its own app context, database session and SMTP session.
Each round also runs the features' jobs (RoundJobs; on PostgreSQL beside the sending of the
batch claimed, BesideSending)."""

import logging
import os
import socket
import sys
import threading
import time

from flask import current_app

from listserve.delivery.batch import CopyMaker, RateLimit, deliver_batch
from listserve.delivery.bookkeeper import Bookkeeper
from listserve.delivery.hooks import current_hooks
from listserve.delivery.leases import claim_batch
from listserve.extensions import db

log = logging.getLogger(__name__)


def worker_name(connection: int = 0) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{connection}"


class RoundJobs:
    """The features' jobs (requests to join from the web, scheduled announcements, digests,
    …), run every round: no cron is needed; each commits its own work and returns what it
    did (a count or a list; empty or 0: nothing).

    While a batch is being sent, a job that found nothing to do is left out for IDLE_SECONDS:
    seven idle jobs cost ~5 ms of CPU and ~12 ms of waits on the database a round, a tenth of
    a round's sending. A job with work (a sign-up surge) runs every round; and whenever
    nothing is due every job runs, so a burst worker ends only once none has work."""

    IDLE_SECONDS = 1.0

    def __init__(self):
        self.idle_until: dict[object, float] = {}

    def run(self, everything: bool = True) -> None:
        now = time.monotonic()
        for job in current_hooks().round_jobs:
            if not everything and self.idle_until.get(job, 0.0) > now:
                continue
            if job():
                self.idle_until.pop(job, None)
            else:
                self.idle_until[job] = now + self.IDLE_SECONDS


class BesideSending:
    """The round's jobs in a thread of their own (its own app context, session and
    connection) while the connection sends the batch claimed before them.

    A job spends much of its time waiting for the database (a sign-up surge: five
    set-based INSERTs a round), and sending waits on the SMTP server: side by side, each
    wait hides the other's. On SQLite, where one writer goes at a time, the jobs run before
    the claim instead, as they did."""

    def __init__(self, app, jobs: RoundJobs):
        self.app = app
        self.jobs = jobs
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="round-jobs", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        with self.app.app_context():
            try:
                self.jobs.run(everything=False)
            except BaseException as exc:  # raised in the sending thread by wait()
                self.error = exc
            finally:
                db.session.remove()

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        error, self.error = self.error, None
        if error is not None:
            raise error


def deliver_due(worker: str, maker: CopyMaker, keeper: Bookkeeper,
                stop: threading.Event | None = None, rate: RateLimit | None = None,
                jobs: RoundJobs | None = None) -> int:
    """Run the round's jobs, claim and send one batch; return how many copies were handled
    (0: nothing due). The mails the jobs queue go out in this very round, or the next.

    On PostgreSQL, once a batch is claimed, the jobs run beside its sending (BesideSending):
    in a surge of sign-ups, the next round's confirmations are made while this round's go
    out."""
    cfg = current_app.config
    size, lease = cfg["WORKER_BATCH_SIZE"], cfg["WORKER_LEASE_SECONDS"]
    jobs = jobs or RoundJobs()
    beside = db.session.get_bind().dialect.name == "postgresql"
    copies = claim_batch(worker, size, lease) if beside else []
    if not copies:  # the jobs first, then the claim of what they queued
        jobs.run()
        copies = claim_batch(worker, size, lease)
        if not copies:
            return 0
    if not beside:
        return deliver_batch(copies, worker, maker, keeper, stop, rate)
    beside_jobs = BesideSending(current_app._get_current_object(), jobs)
    beside_jobs.start()
    try:
        handled = deliver_batch(copies, worker, maker, keeper, stop, rate)
    except BaseException:
        beside_jobs.thread.join()  # the batch's own error is the one to raise
        if beside_jobs.error is not None:
            log.error("a round job failed beside a failed batch: %r", beside_jobs.error)
        raise
    beside_jobs.wait()
    return handled


def _connection_loop(worker: str, burst: bool, stop: threading.Event, rate: RateLimit) -> int:
    maker = CopyMaker()
    jobs = RoundJobs()
    handled = 0
    keeper = Bookkeeper(current_app._get_current_object(), worker)
    try:
        while not stop.is_set():
            try:
                done = deliver_due(worker, maker, keeper, stop, rate, jobs)
            except Exception:
                if burst:
                    raise
                log.exception("delivery batch failed; trying again shortly")
                keeper.close()
                keeper = Bookkeeper(current_app._get_current_object(), worker)
                done = 0
            handled += done
            if done:
                continue
            if burst:
                break
            stop.wait(current_app.config["WORKER_POLL_SECONDS"])
    finally:
        keeper.close()
    return handled


def run_worker(burst: bool = False, concurrency: int | None = None, rate: float | None = None,
               stop: threading.Event | None = None) -> int:
    """Deliver until stopped (or, with burst, until nothing is due). Return copies handled.

    `stop` set (by SIGTERM, say) lets each connection finish the group in flight, give the
    rest of its batch back, and return.
    """
    cfg = current_app.config
    # Sending threads wait on sockets and wake often; a short switch interval keeps them
    # from queueing behind a bookkeeper thread busy building SQL (the 5 ms default
    # halves a connection's rate).
    sys.setswitchinterval(0.0005)
    concurrency = max(1, concurrency or cfg["WORKER_CONCURRENCY"])
    limit = RateLimit(cfg["WORKER_MAX_RATE"] if rate is None else rate)
    stop = stop or threading.Event()
    if concurrency == 1:
        return _connection_loop(worker_name(), burst, stop, limit)
    app = current_app._get_current_object()
    totals = [0] * concurrency
    errors: list[BaseException] = []

    def connection(index: int) -> None:
        with app.app_context():
            try:
                totals[index] = _connection_loop(worker_name(index), burst, stop, limit)
            except BaseException as exc:  # reported by the caller's thread below
                errors.append(exc)
                stop.set()

    threads = [threading.Thread(target=connection, args=(i,), name=f"delivery-{i}")
               for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.2)  # short joins keep the main thread free to take signals
    if errors:
        raise errors[0]
    return sum(totals)
