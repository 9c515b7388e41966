"""Rate-limit counts in a small SQLite file, shared by every process of one machine.

`listserve serve` runs several web processes (gunicorn workers): counts kept in each process's
memory let one address through once per process (with two workers, twice the limit, unevenly).
Without Redis configured, the default storage is this file in the instance folder
(instance/ratelimits.sqlite3), which all of them open.

Why a file of its own rather than a table in the site's database: a count is one UPSERT, and
in a file that holds nothing else it never waits for the site's writes (on SQLite a table in
listserve.db would take the one write lock that sign-ups and the delivery worker queue for) and
needs no fsync (synchronous=OFF: a power cut forgets at most the current minute's counts, which
only makes limits briefly laxer). It needs no migration and works the same whatever database the
site uses. It is one machine's count: sites served from several machines set
RATELIMIT_STORAGE_URI=redis://… so all of them share one.

Fixed windows only (the strategy listserve.core.ratelimits counts with): a key's window starts
at its first hit and its count reads as zero once the window has ended; expired rows are swept
at most once a minute per process.
"""

import os
import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import Storage

SWEEP_SECONDS = 60.0
FILE_NAME = "ratelimits.sqlite3"

_SCHEMA = """CREATE TABLE IF NOT EXISTS rate_count (
    key TEXT PRIMARY KEY, count INTEGER NOT NULL, window_ends REAL NOT NULL
) WITHOUT ROWID"""

# One statement, so one process's hit can never lose another's: SQLite runs it under its write
# lock. The SET expressions read the row as it was, so an ended window starts afresh.
_INCR = """INSERT INTO rate_count (key, count, window_ends) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN window_ends <= :now THEN :amount ELSE count + :amount END,
    window_ends = CASE WHEN window_ends <= :now THEN :now + :expiry ELSE window_ends END
RETURNING count"""


class SharedFileStorage(Storage):
    STORAGE_SCHEME = None  # made by listserve.core.ratelimits, never looked up by a URI scheme

    def __init__(self, path: str | os.PathLike, wrap_exceptions: bool = False, **options):
        super().__init__(None, wrap_exceptions=wrap_exceptions, **options)
        self.path = Path(path)
        self._lock = threading.Lock()  # one connection per process, shared by its threads
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._next_sweep = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        # Opened on first use in each process: a connection must never cross a fork.
        if self._connection is None or self._pid != os.getpid():
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None,
                                         check_same_thread=False)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute(_SCHEMA)
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            db = self._db()
            (count,) = db.execute(
                _INCR, {"key": key, "amount": amount, "now": now, "expiry": expiry}
            ).fetchone()
            if now >= self._next_sweep:
                db.execute("DELETE FROM rate_count WHERE window_ends <= ?", (now,))
                self._next_sweep = now + SWEEP_SECONDS
        return count

    def get(self, key: str) -> int:
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row[1] if row else time.time()

    def _row(self, key: str) -> tuple[int, float] | None:
        with self._lock:
            return self._db().execute(
                "SELECT count, window_ends FROM rate_count WHERE key = ? AND window_ends > ?",
                (key, time.time()),
            ).fetchone()

    def check(self) -> bool:
        with self._lock:
            return self._db().execute("SELECT 1").fetchone() == (1,)

    def reset(self) -> int:
        with self._lock:
            return self._db().execute("DELETE FROM rate_count").rowcount

    def clear(self, key: str) -> None:
        with self._lock:
            self._db().execute("DELETE FROM rate_count WHERE key = ?", (key,))
