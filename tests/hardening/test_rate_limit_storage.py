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


def test_processes_sharing_the_file_count_every_hit(tmp_path):
    """Several processes (as gunicorn's workers are, forked from one parent that counted
    first) and their threads, all on one key: not one hit lost."""
    import multiprocessing

    path = tmp_path / "ratelimits.counts"
    item = limits.parse("1000000 per hour")
    strategy = FixedWindowRateLimiter(SharedFileStorage(path))
    strategy.hit(item, "subscribe", "203.0.113.7")  # the parent maps the file before forking

    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_hit_from_threads, args=(path, 4, 300)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    remaining = strategy.get_window_stats(item, "subscribe", "203.0.113.7").remaining
    assert 1000000 - remaining == 1 + 3 * 4 * 300


def _hit_from_threads(path, threads: int, hits: int) -> None:
    strategy = FixedWindowRateLimiter(SharedFileStorage(path))
    item = limits.parse("1000000 per hour")

    def hit_many():
        for _ in range(hits):
            strategy.hit(item, "subscribe", "203.0.113.7")

    running = [threading.Thread(target=hit_many) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()


def test_many_addresses_each_keep_their_own_count(tmp_path):
    storage = SharedFileStorage(tmp_path / "ratelimits.counts")
    strategy = FixedWindowRateLimiter(storage)
    item = limits.parse("3 per minute")
    addresses = [f"198.51.{n // 256}.{n % 256}" for n in range(5000)]
    for _ in range(3):
        assert all(strategy.hit(item, address) for address in addresses)
    assert not any(strategy.hit(item, address) for address in addresses)
    storage.clear(item.key_for(addresses[10]))
    assert strategy.hit(item, addresses[10]) and not strategy.hit(item, addresses[11])
    assert storage.reset() == 5000
    assert strategy.hit(item, addresses[11])


def test_a_full_run_of_slots_forgets_the_count_ending_first(tmp_path, monkeypatch):
    """Only when every slot a key may take holds another key's live window does a count start
    afresh early (the limit laxer, never stricter): the one whose window ends first."""
    from listserve.core import ratelimit_file

    monkeypatch.setattr(ratelimit_file, "SLOTS", 3)  # every key's run: all three slots
    monkeypatch.setattr(ratelimit_file, "PROBES", 3)
    storage = SharedFileStorage(tmp_path / "ratelimits.counts")
    for number, expiry in enumerate((60, 30, 90)):
        assert storage.incr(f"key{number}", expiry) == 1
    assert storage.incr("key0", 60) == 2
    assert storage.incr("key3", 60) == 1  # takes key1's slot: its window ended first
    assert storage.get("key1") == 0
    assert [storage.get(f"key{n}") for n in (0, 2, 3)] == [2, 1, 1]


def test_a_file_not_ours_is_started_afresh(tmp_path):
    path = tmp_path / "ratelimits.counts"
    path.write_bytes(b"SQLite format 3\0" + bytes(4000))
    storage = SharedFileStorage(path)
    assert storage.check()
    assert storage.incr("key", 60) == 1
