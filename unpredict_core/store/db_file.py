"""The results database as a file: taking turns at it between processes, and setting a corrupt
one aside. No SQL here (schema.py, database.py, poems.py hold it); this is what DuckDB's own lock does not give.

DuckDB lets one process hold a database file read-write, and while it does no other process can
open it at all, and its lock fails at once instead of waiting.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from unpredict_core.errors import StoreError

LOCK_WAIT_S = 30.0
DUCKDB_MAGIC = b"DUCK"  # bytes 8..12 of every DuckDB database file
# DuckDB's lock error starts with these words; a path appears only after them, so a folder named
# "lock" cannot make another error look like it
_LOCK_PREFIX = "IO Error: Could not set lock on file"


def is_lock_error(exc: Exception) -> bool:
    return isinstance(exc, duckdb.IOException) and str(exc).startswith(_LOCK_PREFIX)


def check_openable(path: Path) -> None:
    """What the operating system says about the database file, classified by its error code
    before DuckDB is asked (whose messages carry the path, and a path may hold any word)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return  # DuckDB creates it
    except OSError as exc:
        raise StoreError(os_problem(path, exc, "the results database")) from None
    os.close(fd)


def os_problem(path: Path, exc: OSError, what: str) -> str:
    """A user's message for an OSError on `path`, chosen by its errno."""
    reasons: dict[int | None, str] = {  # keyed by OSError.errno, which is None when no code was given
        errno.EISDIR: "is a folder, not a file: remove or rename it",
        errno.EACCES: "cannot be read and written with this user's permissions",
        errno.EPERM: "cannot be read and written with this user's permissions",
        errno.EROFS: "is on a read-only file system",
        errno.ENOSPC: "is on a disk that is full",
        errno.ENAMETOOLONG: "has a name longer than the file system allows",
    }
    why = reasons.get(exc.errno, exc.strerror or str(exc))
    return (
        f"{what.capitalize()} {path} {why}. Point UNPREDICT_DB (or UNPREDICT_CACHE) at a writable file, or fix it."
        if exc.errno in reasons
        else f"Cannot open {what} {path}: {why}."
    )


def looks_corrupt(path: Path, exc: Exception) -> bool:
    """A file that is not a DuckDB database (its magic bytes are wrong), or one DuckDB refuses
    with its corruption error (the base duckdb.Error, e.g. a block checksum, or a serialization
    error); never a permission or lock problem, which check_openable and is_lock_error catch."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(12)
    except OSError:
        return False
    if len(head) >= 12 and head[8:12] != DUCKDB_MAGIC:
        return True
    return type(exc) is duckdb.Error or isinstance(exc, duckdb.SerializationException)


def disk_full(folder: Path) -> bool:
    """Whether `folder` cannot take another megabyte: asked of the file system (ENOSPC), not
    read from an error message."""
    probe = folder / f".space-probe-{os.getpid()}-{random.getrandbits(32):08x}"
    try:
        with open(probe, "wb") as handle:
            handle.write(bytes(1 << 20))
            handle.flush()
            os.fsync(handle.fileno())
        return False
    except OSError as exc:
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


def set_aside(path: Path, exc: Exception) -> str:
    """Rename an unreadable database (and its WAL) out of the way, byte for byte, so nothing is
    lost and a new one can start; returns what the user must be told."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    path.rename(aside)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        wal.rename(aside.with_name(aside.name + ".wal"))
    return (
        f"The results database {path} could not be read ({exc}). It was kept as {aside} "
        "and a new, empty database was started."
    )


@contextmanager
def take_turn(path: Path, deadline: float) -> Iterator[None]:
    """Wait for this process's turn at the file: an exclusive flock on `<db>.lock`.

    Retrying DuckDB's lock with backoff let a busy writer starve readers for seconds (measured: 3 s
    reads under 1 writer x 3 readers). The flock queues cooperating processes and threads (each
    turn opens its own descriptor) with a short poll, and the kernel drops it when a process dies,
    even by kill -9. DuckDB's lock stays the safety net against processes that do not take turns.
    """
    lock = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(os_problem(lock, exc, "the lock file of the results database")) from None
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"The results database {path} stayed busy for {LOCK_WAIT_S:.0f} s. Is a stuck sweep holding it?"
                    ) from None
                time.sleep(0.001 + 0.002 * random.random())
        yield
    finally:
        os.close(fd)  # releases the flock
