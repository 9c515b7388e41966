"""Rate limits: the counting (limits), and a thread-safe memory storage for it.

Per-address limits on the forms anyone can send: subscribing, commenting, logging in.

The counting is the `limits` library's (fixed windows, limit strings like "5 per minute"), in
Redis when RATELIMIT_STORAGE_URI names it (every machine shares one count), by default in a
small memory-mapped file that every process of this machine shares (core.ratelimit_file), or with
`memory://` in this process's memory alone (tests). A limited view checks its limit when it is
called, so only those requests pay for it: Flask-Limiter, which this replaces, ran hooks before,
after and at the end of every request (in-process, about 50 of a kept archive page's 350 µs)
and checked a limited route twice.

A request over its limit raises RateLimited, a 429 with Retry-After; the error pages keep what
the person typed.

Rate-limit counts kept in this process's memory, safe under gunicorn's threads.

limits' own MemoryStorage (5.8) expires counts with a Timer thread that it starts again from
inside `incr` at most every 10 ms, and two request threads can both start the one it just made:
"RuntimeError: threads can only be started once", a 500 for the person subscribing (seen under
load in bench/web.py; upstream alisaifee/limits#352, merged but not released). Each new Timer
also blocks the request that starts it until the thread runs. This storage has no thread: one
lock guards the counts, a count past its window reads as zero, and expired keys are swept at
most once a minute so a flood of addresses cannot grow it without bound.

Fixed windows only, the strategy listserve.core.ratelimits counts with; it serves `memory://` in
RATELIMIT_STORAGE_URI.
"""

import logging
import math
import threading
import time
from functools import wraps
from pathlib import Path

from flask import Flask, current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from listserve.core.ratelimit_file import FILE_NAME as SHARED_FILE_NAME
from listserve.core.ratelimit_file import SharedFileStorage

log = logging.getLogger(__name__)


class RateLimited(TooManyRequests):
    def __init__(self, retry_after: int):
        super().__init__()
        self.retry_after = retry_after  # seconds; every 429 page sends it (`retry_after`)


def retry_after(error: Exception) -> dict[str, str]:
    """The Retry-After header for an error handler's page answering RateLimited."""
    return {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else {}


class RateLimits:
    """Bound to each app in init_app (each app counts in a storage of its own); `limit`
    marks a view."""

    def init_app(self, app: Flask) -> None:
        uri = app.config["RATELIMIT_STORAGE_URI"]
        if not uri:
            storage = SharedFileStorage(Path(app.instance_path) / SHARED_FILE_NAME)
        # memory:// is counted by our thread-safe storage, not limits' own (see below).
        elif uri.startswith("memory://"):
            storage = ProcessMemoryStorage()
        else:
            storage = storage_from_string(uri)
        app.extensions["rate_limits"] = _AppLimits(
            storage,
            enabled=app.config["RATELIMIT_ENABLED"],
            prefix=app.config["RATELIMIT_KEY_PREFIX"],
        )

    def limit(self, setting: str, methods: tuple[str, ...] = ("POST",)):
        """Limit a view to app.config[setting] requests per client address (of `methods`)."""

        def decorator(view):
            @wraps(view)
            def limited(*args, **kwargs):
                if request.method in methods:
                    current_app.extensions["rate_limits"].hit(
                        current_app.config[setting], request.endpoint or "", request.remote_addr
                    )
                return view(*args, **kwargs)

            return limited

        return decorator

class _AppLimits:
    def __init__(self, storage: Storage, enabled: bool, prefix: str):
        self.storage = storage
        self.strategy = FixedWindowRateLimiter(storage)
        self.enabled, self.prefix = enabled, prefix
        self._parsed: dict[str, list[RateLimitItem]] = {}

    def hit(self, limits: str, endpoint: str, address: str | None) -> None:
        """Count one request; raise RateLimited if it is over any of `limits`."""
        if not self.enabled:
            return
        items = self._parsed.get(limits)
        if items is None:
            items = self._parsed[limits] = parse_many(limits)
        key = (self.prefix, endpoint, address or "unknown")
        try:
            refused = [item for item in items if not self.strategy.hit(item, *key)]
            if refused:
                reset = max(self.strategy.get_window_stats(item, *key).reset_time
                            for item in refused)
        except Exception:
            # A rate limit protects the site; it is not worth refusing people for when Redis
            # is unreachable. Said in the log, and the request goes on.
            log.exception("rate-limit storage unreachable; %s not counted", endpoint)
            return
        if refused:
            raise RateLimited(retry_after=max(1, math.ceil(reset - time.time())))


SWEEP_SECONDS = 60.0


class ProcessMemoryStorage(Storage):
    STORAGE_SCHEME = None  # made by listserve.core.ratelimits, never looked up by a URI scheme

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


rate_limits = RateLimits()
