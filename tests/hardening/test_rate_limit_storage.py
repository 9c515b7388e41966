"""The rate-limit storages of our own: the in-process counts (`memory://`) and the file every
process of a machine shares (the default). Exact and error-free under many threads, no thread
of their own."""

import threading
import time
from pathlib import Path

import limits
from limits.strategies import FixedWindowRateLimiter

from listserve.core.ratelimit_file import SharedFileStorage
from listserve.core.ratelimits import ProcessMemoryStorage

THREADS = 16
HITS = 400


def hammer(strategy, item, pause_every: int) -> list[Exception]:
    """Every thread hits the same key; now and then all pause past limits' 10 ms timer."""
    errors: list[Exception] = []
    start = threading.Barrier(THREADS)

    def hit_many():
        start.wait()
        for number in range(HITS):
            try:
                strategy.hit(item, "subscribe", "203.0.113.7")
            except Exception as exc:  # noqa: BLE001 - the test reports whatever breaks
                errors.append(exc)
            if number % pause_every == 0:
                time.sleep(0.011)

    threads = [threading.Thread(target=hit_many) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_sign_ups_are_all_counted_and_none_fails():
    strategy = FixedWindowRateLimiter(ProcessMemoryStorage())
    item = limits.parse("1000000 per hour")
    assert hammer(strategy, item, pause_every=5) == []
    remaining = strategy.get_window_stats(item, "subscribe", "203.0.113.7").remaining
    assert 1000000 - remaining == THREADS * HITS


def test_counting_starts_no_thread():
    strategy = FixedWindowRateLimiter(ProcessMemoryStorage())
    item = limits.parse("10 per minute")
    before = set(threading.enumerate())
    for _ in range(3):
        strategy.hit(item, "subscribe", "203.0.113.8")
        time.sleep(0.02)  # long enough for limits' own storage to start a new Timer each time
    strategy.hit(item, "subscribe", "203.0.113.8")
    assert set(threading.enumerate()) - before == set()


def test_the_limit_holds_and_a_new_window_starts_afresh():
    storage = ProcessMemoryStorage()
    strategy = FixedWindowRateLimiter(storage)
    item = limits.parse("2 per second")
    assert [strategy.hit(item, "203.0.113.9") for _ in range(3)] == [True, True, False]
    assert storage.get_expiry(item.key_for("203.0.113.9")) > time.time()
    time.sleep(1.05)
    assert strategy.hit(item, "203.0.113.9")


def test_memory_uri_is_served_by_the_thread_safe_storage(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert isinstance(app.extensions["rate_limits"].storage, ProcessMemoryStorage)


def test_by_default_counts_are_kept_in_the_instance_folder(app_config, tmp_path):
    from listserve import create_app

    app = create_app({**app_config, "RATELIMIT_STORAGE_URI": None})
    storage = app.extensions["rate_limits"].storage
    assert isinstance(storage, SharedFileStorage)
    assert storage.path.parent == Path(app.instance_path)


def test_the_shared_file_counts_every_thread_and_every_opening(tmp_path):
    path = tmp_path / "ratelimits.sqlite3"
    strategy = FixedWindowRateLimiter(SharedFileStorage(path))
    item = limits.parse("1000000 per hour")
    assert hammer(strategy, item, pause_every=50) == []
    # Another opening of the same file (as another process has) sees the same count.
    other = FixedWindowRateLimiter(SharedFileStorage(path))
    remaining = other.get_window_stats(item, "subscribe", "203.0.113.7").remaining
    assert 1000000 - remaining == THREADS * HITS


def test_in_the_shared_file_the_limit_holds_and_a_new_window_starts_afresh(tmp_path):
    storage = SharedFileStorage(tmp_path / "ratelimits.sqlite3")
    strategy = FixedWindowRateLimiter(storage)
    item = limits.parse("2 per second")
    assert [strategy.hit(item, "203.0.113.9") for _ in range(3)] == [True, True, False]
    stats = strategy.get_window_stats(item, "203.0.113.9")
    assert stats.remaining == 0 and time.time() < stats.reset_time <= time.time() + 1
    time.sleep(1.05)
    assert strategy.hit(item, "203.0.113.9")
    storage.clear(item.key_for("203.0.113.9"))
    assert strategy.get_window_stats(item, "203.0.113.9").remaining == 2
