"""Taking turns at the results file: one short-lived connection and one transaction per operation.

DuckDB lets one process hold a database file read-write, and while it does no other process can
open it at all. So every operation takes its turn at the file (db_file.take_turn), opens a
connection, does its work in one transaction and closes. A sweep writing and dashboards reading
then take turns measured in milliseconds instead of failing. The tables' own statements live in
database.py and poems.py; this module only runs them.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from unpredict_core.errors import StoreError
from unpredict_core.paths import db_path, ensure_writable_dir
from unpredict_core.store.db_file import (
    LOCK_WAIT_S,
    check_openable,
    disk_full,
    is_lock_error,
    looks_corrupt,
    set_aside,
    take_turn,
)
from unpredict_core.store.schema import migrate

T = TypeVar("T")


def first_value(row: tuple[Any, ...] | None) -> Any:
    """The first column of a query that always returns a row (a count, the schema version); a
    missing row means the file is not a database this app wrote."""
    if row is None:
        raise StoreError("The results database returned no row where it always has one; it may be damaged.")
    return row[0]


class StoreFile:
    """A DuckDB file with the project's schema; safe to share between threads and processes."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else db_path()
        self.notices: list[str] = []  # things the user must be told (e.g. a corrupt file set aside)
        ensure_writable_dir(self.path.parent, "database")
        self._retrying(lambda con: migrate(con, self.path))

    # -- connections ----------------------------------------------------------------------------
    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        check_openable(self.path)
        try:
            con = duckdb.connect(str(self.path))
        except duckdb.Error as exc:
            if is_lock_error(exc):
                raise
            if disk_full(self.path.parent):
                raise StoreError(
                    f"The disk holding the results database {self.path} is full: free some space."
                ) from exc
            if not looks_corrupt(self.path, exc):
                raise StoreError(f"Cannot open the results database {self.path}: {exc}") from exc
            self.notices.append(set_aside(self.path, exc))
            con = duckdb.connect(str(self.path))
        try:
            yield con
        finally:
            con.close()

    def _retrying(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run `work` in one transaction, waiting while another process holds the file."""
        deadline = time.monotonic() + LOCK_WAIT_S
        delay = 0.005
        while True:
            try:
                with take_turn(self.path, deadline), self._connect() as con:
                    con.execute("BEGIN TRANSACTION")
                    try:
                        value = work(con)
                        con.execute("COMMIT")
                        return value
                    except BaseException:
                        with contextlib.suppress(duckdb.Error):  # a failed COMMIT leaves nothing to roll back
                            con.execute("ROLLBACK")
                        raise
            except duckdb.Error as exc:
                if not is_lock_error(exc):
                    if disk_full(self.path.parent):
                        raise StoreError(
                            f"The disk holding the results database {self.path} is full: the last change "
                            "was not stored. Free some space, then rerun."
                        ) from exc
                    raise
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"The results database {self.path} stayed locked by another process for "
                        f"{LOCK_WAIT_S:.0f} s. Is a stuck sweep holding it?"
                    ) from exc
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 0.2)
