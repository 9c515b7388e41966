"""The cost of one rate-limit check (what a subscribe POST pays), per storage, in one run.

    python bench/ratelimit_check.py

Prints microseconds per check for the in-process counts (`memory://`, the reference), the file
every process of a machine shares (the default), and Redis when one answers on 127.0.0.1:6379;
each as a ratio to the reference. One thread, then 8 threads (a gthread worker's 4 threads, and
another process's, land on the same file).
"""

import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import limits  # noqa: E402
from limits.storage import storage_from_string  # noqa: E402
from limits.strategies import FixedWindowRateLimiter  # noqa: E402

from listserve.core.ratelimit_file import SharedFileStorage  # noqa: E402
from listserve.core.ratelimits import ProcessMemoryStorage  # noqa: E402

CHECKS = 5000
ROUNDS = 5
ITEM = limits.parse("20 per hour")  # a sign-up's limit: most addresses are new keys


def per_check(strategy, threads: int) -> float:
    """µs per check, wall clock, `threads` threads each checking its share of addresses."""
    run = uuid.uuid4().hex[:8]
    share = CHECKS // threads

    def check_many(number):
        for n in range(share):
            strategy.hit(ITEM, "subscription.request", f"{run}-{number}-{n % 500}")

    workers = [threading.Thread(target=check_many, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return (time.perf_counter() - started) / (share * threads) * 1e6


def storages(folder: Path) -> dict:
    found = {"memory:// (reference)": ProcessMemoryStorage(),
             "shared file (default)": SharedFileStorage(folder / "ratelimits.counts")}
    redis = storage_from_string("redis://127.0.0.1:6379")
    if redis.check():  # False when no Redis answers: then it is left out
        found["redis://127.0.0.1:6379"] = redis
    return found


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        strategies = {name: FixedWindowRateLimiter(storage)
                      for name, storage in storages(Path(folder)).items()}
        for threads in (1, 8):
            timings = {name: [] for name in strategies}
            for _ in range(ROUNDS):  # interleaved, so the machine's noise falls on all alike
                for name, strategy in strategies.items():
                    timings[name].append(per_check(strategy, threads))
            reference = statistics.median(timings["memory:// (reference)"])
            print(f"{threads} thread(s), {CHECKS} checks, median of {ROUNDS} rounds:")
            for name, values in timings.items():
                median = statistics.median(values)
                print(f"  {name:28} {median:8.1f} µs/check  {median / reference:6.1f}× memory")


if __name__ == "__main__":
    main()
