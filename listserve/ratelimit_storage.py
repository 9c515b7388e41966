"""Rate-limit counts kept in this process's memory, safe under gunicorn's threads.

limits' own MemoryStorage (5.8) expires counts with a Timer thread that it starts again from
inside `incr` at most every 10 ms, and two request threads can both start the one it just made:
"RuntimeError: threads can only be started once", a 500 for the person subscribing (seen under
load in bench/web.py; upstream alisaifee/limits#352, merged but not released). Each new Timer
also blocks the request that starts it until the thread runs. This storage has no thread: one
lock guards the counts, a count past its window reads as zero, and expired keys are swept at
most once a minute so a flood of addresses cannot grow it without bound.

Fixed windows only, the strategy listserve.ratelimits counts with; it serves `memory://` in
RATELIMIT_STORAGE_URI.
"""

import threading
import time

from limits.storage import Storage

SWEEP_SECONDS = 60.0


class ProcessMemoryStorage(Storage):
    STORAGE_SCHEME = None  # made by listserve.ratelimits, never looked up by a URI scheme

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}  # key: (count, when its window ends)
        self._next_sweep = time.time() + SWEEP_SECONDS

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            count, ends = self._counts.get(key, (0, 0.0))
            if ends <= now:
                count, ends = 0, now + expiry
            count += amount
            self._counts[key] = (count, ends)
            if now >= self._next_sweep:
                self._sweep(now)
        return count

    def get(self, key: str) -> int:
        count, ends = self._counts.get(key, (0, 0.0))
        return count if ends > time.time() else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        _count, ends = self._counts.get(key, (0, 0.0))
        return ends if ends > now else now

    def check(self) -> bool:
        return True

    def reset(self) -> int:
        with self._lock:
            cleared = len(self._counts)
            self._counts.clear()
        return cleared

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)

    def _sweep(self, now: float) -> None:
        self._counts = {key: kept for key, kept in self._counts.items() if kept[1] > now}
        self._next_sweep = now + SWEEP_SECONDS
