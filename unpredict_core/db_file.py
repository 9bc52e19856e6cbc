"""The results database as a file: taking turns at it between processes, and setting a corrupt
one aside. No SQL here (that is all in store.py); this is what DuckDB's own lock does not give.

DuckDB lets one process hold a database file read-write, and while it does no other process can
open it at all (SPEC 4), and its lock fails at once instead of waiting.
"""

from __future__ import annotations

import fcntl
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .errors import StoreError

LOCK_WAIT_S = 30.0
_CORRUPT_WORDS = ("not a valid duckdb", "corrupt", "checksum", "serialization")


def is_lock_error(exc: Exception) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def looks_corrupt(path: Path, exc: Exception) -> bool:
    text = str(exc).lower()
    return path.exists() and any(word in text for word in _CORRUPT_WORDS)


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
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
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
