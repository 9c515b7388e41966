"""The delivery worker: claim a batch of due copies with a lease, send them over one SMTP
connection, record each result. Any number of workers can run; an expired lease (a worker
that died) is claimed again, so nothing is lost. A worker runs WORKER_CONCURRENCY
connections, each a thread with its own app context, database session and SMTP session."""

import logging
import os
import socket
import sys
import threading

from flask import current_app

from listserve.delivery.batch import CopyMaker, RateLimit, deliver_batch
from listserve.delivery.bookkeeper import Bookkeeper
from listserve.delivery.hooks import current_hooks
from listserve.delivery.leases import claim_batch

log = logging.getLogger(__name__)


def worker_name(connection: int = 0) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{connection}"


def deliver_due(worker: str, maker: CopyMaker, keeper: Bookkeeper,
                stop: threading.Event | None = None, rate: RateLimit | None = None) -> int:
    """Claim and send one batch; return how many copies were handled (0: nothing due)."""
    cfg = current_app.config
    # The features' jobs (requests to join from the web, then scheduled announcements) start
    # here: no cron is needed, and the mails they queue go out in this very round.
    for job in current_hooks().round_jobs:
        job()
    copies = claim_batch(worker, cfg["WORKER_BATCH_SIZE"], cfg["WORKER_LEASE_SECONDS"])
    if not copies:
        return 0
    return deliver_batch(copies, worker, maker, keeper, stop, rate)


def _connection_loop(worker: str, burst: bool, stop: threading.Event, rate: RateLimit) -> int:
    maker = CopyMaker()
    handled = 0
    keeper = Bookkeeper(current_app._get_current_object(), worker)
    try:
        while not stop.is_set():
            try:
                done = deliver_due(worker, maker, keeper, stop, rate)
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
