"""Rate-limit counts in a small memory-mapped file, shared by every process of one machine.

`listserve serve` runs several web processes (gunicorn workers): counts kept in each process's
memory let one address through once per process (with two workers, twice the limit, unevenly).
Without Redis configured, the default storage is this file in the instance folder
(instance/ratelimits.counts), which all of them map into memory.

The file is a fixed table of counters (SLOTS of them, 2 MB), found by a hash of the key: a hit
reads and writes a few dozen bytes of shared memory under a lock, with no database, no
transaction and no write to disk on the way (the kernel writes the pages back when it likes).
It replaces a SQLite file whose one-statement UPSERT per hit cost several times the whole
counting (bench/ratelimit_check.py) and, under load, made one process's threads sleep in
SQLite's busy handler while another process held the write lock.

Locking: a thread lock among the threads of a process, and an fcntl lock on the file among the
processes (fcntl locks belong to a process, so both are needed). The kernel drops a process's
fcntl lock when it dies, so a crash never leaves the counts locked. After a fork the child maps
the file again with fresh locks.

A slot is (the key's 128-bit BLAKE2b digest, when its window ends, its count). A key lives in
the first slot of its run of PROBES slots that holds its digest; a new key takes the first slot
of the run whose window has ended (or was never used). Only when all PROBES slots of its run
hold other keys' live windows (tens of thousands of addresses counted within one window) does a
new key take the slot whose window ends first, which forgets that key's count early: limits
can then only be laxer, never stricter. It is one machine's count: sites served from several
machines set RATELIMIT_STORAGE_URI=redis://… so all of them share one.

Fixed windows only (the strategy listserve.core.ratelimits counts with): a key's window starts
at its first hit and its count reads as zero once the window has ended.
"""

import fcntl
import hashlib
import mmap
import os
import struct
import threading
import time
from pathlib import Path

from limits.storage import Storage

FILE_NAME = "ratelimits.counts"
MAGIC = b"listserve rate-limit counts v1\n\0"  # 32 bytes: the header
SLOTS = 1 << 16
PROBES = 32
_SLOT = struct.Struct("<16sdq")  # key digest, when the window ends (Unix time), count
_HEADER = len(MAGIC)
SIZE = _HEADER + SLOTS * _SLOT.size
_UNUSED = bytes(16)


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=16).digest()


class _Table:
    """One process's mapping of one file, shared by every storage of that process that names
    the file (fcntl locks belong to the process, so its threads must also share one lock)."""

    def __init__(self, path: Path):
        self.lock = threading.Lock()
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX)
            try:
                if os.fstat(fd).st_size < SIZE:
                    os.ftruncate(fd, SIZE)  # a new file: zeros, every slot unused
                if os.pread(fd, _HEADER, 0) != MAGIC:
                    # New, or not ours: every count starts afresh (limits only ever laxer).
                    os.pwrite(fd, bytes(SIZE - _HEADER), _HEADER)
                    os.pwrite(fd, MAGIC, 0)
            finally:
                fcntl.lockf(fd, fcntl.LOCK_UN)
            self.map = mmap.mmap(fd, SIZE)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd

    def __enter__(self) -> mmap.mmap:
        self.lock.acquire()
        try:
            fcntl.lockf(self.fd, fcntl.LOCK_EX)
        except BaseException:
            self.lock.release()
            raise
        return self.map

    def __exit__(self, *exc) -> None:
        try:
            fcntl.lockf(self.fd, fcntl.LOCK_UN)
        finally:
            self.lock.release()

    def slot(self, digest: bytes, now: float, taking: bool) -> int | None:
        """The offset of the key's slot; when `taking` and it has none, the slot it takes."""
        table = self.map
        start = int.from_bytes(digest[:8], "little") % SLOTS
        free = oldest = None
        oldest_end = float("inf")
        for step in range(PROBES):
            offset = _HEADER + (start + step) % SLOTS * _SLOT.size
            held, ends, _count = _SLOT.unpack_from(table, offset)
            if held == digest:
                return offset
            if held == _UNUSED:  # never used: the key is in no later slot of its run
                return (free if free is not None else offset) if taking else None
            if ends <= now:
                if free is None:
                    free = offset
            elif ends < oldest_end:
                oldest, oldest_end = offset, ends
        if not taking:
            return None
        return free if free is not None else oldest


_tables: dict[str | Path, _Table] = {}  # by real path, and by each path asked for
_tables_lock = threading.Lock()


def _table(path: Path) -> _Table:
    table = _tables.get(path)  # by the path as given: a look-up, no system call
    if table is None:
        with _tables_lock:
            table = _tables.get(path)
            if table is None:
                key = os.path.realpath(path)  # two names of one file share one table
                table = _tables.get(key)
                if table is None:
                    table = _tables[key] = _Table(path)
                _tables[path] = table
    return table


def _after_fork() -> None:
    # The parent's locks (perhaps held by one of its threads at the fork) and its fcntl locks
    # are not the child's: the child maps the files again when it first counts.
    global _tables_lock
    _tables_lock = threading.Lock()
    for table in set(_tables.values()):
        table.map.close()
        os.close(table.fd)
    _tables.clear()


os.register_at_fork(after_in_child=_after_fork)


class SharedFileStorage(Storage):
    STORAGE_SCHEME = None  # made by listserve.core.ratelimits, never looked up by a URI scheme

    def __init__(self, path: str | os.PathLike, wrap_exceptions: bool = False, **options):
        super().__init__(None, wrap_exceptions=wrap_exceptions, **options)
        self.path = Path(path)

    @property
    def base_exceptions(self) -> type[Exception]:
        return OSError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        digest = _digest(key)
        shared = _table(self.path)
        with shared as table:
            now = time.time()
            offset = shared.slot(digest, now, taking=True)
            held, ends, count = _SLOT.unpack_from(table, offset)
            if held != digest or ends <= now:
                count, ends = 0, now + expiry
            count += amount
            _SLOT.pack_into(table, offset, digest, ends, count)
        return count

    def get(self, key: str) -> int:
        row = self._live(key)
        return row[1] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._live(key)
        return row[0] if row else time.time()

    def _live(self, key: str) -> tuple[float, int] | None:
        digest = _digest(key)
        shared = _table(self.path)
        with shared as table:
            now = time.time()
            offset = shared.slot(digest, now, taking=False)
            if offset is None:
                return None
            _held, ends, count = _SLOT.unpack_from(table, offset)
        return (ends, count) if ends > now else None

    def check(self) -> bool:
        with _table(self.path) as table:
            return table[:_HEADER] == MAGIC

    def reset(self) -> int:
        with _table(self.path) as table:
            now = time.time()
            live = sum(1 for _held, ends, _count in _SLOT.iter_unpack(table[_HEADER:])
                       if ends > now)
            table[_HEADER:] = bytes(SIZE - _HEADER)
        return live

    def clear(self, key: str) -> None:
        digest = _digest(key)
        shared = _table(self.path)
        with shared as table:
            offset = shared.slot(digest, time.time(), taking=False)
            if offset is not None:
                # The digest stays (other keys of its run may lie beyond it); the window ends.
                _SLOT.pack_into(table, offset, digest, 0.0, 0)
