"""The results store: every SQL statement of the project lives in this module.

DuckDB lets one process hold a database file read-write, and while it does no other process can
open it at all. So every operation takes its turn at the file (db_file.take_turn), opens a
short-lived connection, does its work in one transaction and closes. A sweep writing and dashboards
reading then take turns measured in milliseconds instead of failing. Row shapes: rows.py.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from unpredict_core.errors import StoreError
from unpredict_core.paths import db_path, ensure_writable_dir
from unpredict_core.records import RunRecord
from unpredict_core.store.db_file import (
    LOCK_WAIT_S,
    check_openable,
    disk_full,
    is_lock_error,
    looks_corrupt,
    set_aside,
    take_turn,
)
from unpredict_core.store.rows import benchmark_prompt_row, poem_row, round_row

SCHEMA_VERSION = 4
T = TypeVar("T")

_SCHEMA_V1 = [
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS runs (
        run_id VARCHAR PRIMARY KEY, cache_key VARCHAR UNIQUE, experiment VARCHAR, pair VARCHAR,
        params VARCHAR, code_version VARCHAR, created_at TIMESTAMP, duration_s DOUBLE, result VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS sides (
        run_id VARCHAR, side VARCHAR, model VARCHAR, identity VARCHAR, format VARCHAR,
        prompt VARCHAR, coverage DOUBLE, metrics VARCHAR, PRIMARY KEY (run_id, side))""",
    """CREATE TABLE IF NOT EXISTS answers (
        run_id VARCHAR, side VARCHAR, answer VARCHAR, probability DOUBLE, count BIGINT,
        PRIMARY KEY (run_id, side, answer))""",
]
_SCHEMA_V2 = [
    """CREATE TABLE IF NOT EXISTS rounds (
        run_id VARCHAR, side VARCHAR, round INTEGER, p VARCHAR, coverage DOUBLE, model_move VARCHAR,
        opponent_move VARCHAR, outcome VARCHAR, PRIMARY KEY (run_id, side, round))""",
]
# -- poetry (schema 3): poems with their prompt and settings, and blind pairwise votes ------------
# A vote is three rows (one per criterion) sharing a vote_id, written in one transaction, so a
# closed page leaves no half vote; `repeat` marks a rater's second vote on the same pair.
_SCHEMA_V3 = [
    """CREATE TABLE IF NOT EXISTS poems (
        poem_id VARCHAR PRIMARY KEY, run_id VARCHAR, side VARCHAR, topic VARCHAR, sample INTEGER,
        text VARCHAR, raw VARCHAR, prompt VARCHAR, settings VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS votes (
        vote_id VARCHAR, rater VARCHAR, poem_a VARCHAR, poem_b VARCHAR, criterion VARCHAR,
        choice VARCHAR, chosen_side VARCHAR, repeat BOOLEAN, created_at TIMESTAMP,
        PRIMARY KEY (vote_id, criterion))""",
]
# -- a benchmark measured here (schema 4): one row per prompt with its response and verdicts ------
_SCHEMA_V4 = [
    """CREATE TABLE IF NOT EXISTS benchmark_prompts (
        run_id VARCHAR, side VARCHAR, key VARCHAR, prompt VARCHAR, response VARCHAR,
        instructions VARCHAR, followed_strict BOOLEAN, followed_loose BOOLEAN,
        PRIMARY KEY (run_id, side, key))""",
]
# version → statements that bring a database from version-1 to version
MIGRATIONS: dict[int, list[str]] = {1: _SCHEMA_V1, 2: _SCHEMA_V2, 3: _SCHEMA_V3, 4: _SCHEMA_V4}


def _identifier(name: str) -> str:
    """A table or column name quoted for SQL. Values always travel as parameters; names cannot,
    so the few read from the catalog are checked to be plain words before they are quoted
    (tests/backends/test_safe_defaults.py allows only this in an f-string query)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise StoreError(f"Refusing the unexpected table name {name!r} in the results database.")
    return f'"{name}"'



def _value(row: tuple[Any, ...] | None) -> Any:
    """The first column of a query that always returns a row (a count, the schema version); a
    missing row means the file is not a database this app wrote."""
    if row is None:
        raise StoreError("The results database returned no row where it always has one; it may be damaged.")
    return row[0]


class Store:
    """A DuckDB file with the project's schema; safe to share between threads and processes."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else db_path()
        self.notices: list[str] = []  # things the user must be told (e.g. a corrupt file set aside)
        ensure_writable_dir(self.path.parent, "database")
        self._retrying(self._migrate)

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

    def _migrate(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer unpredict (schema {version} > {SCHEMA_VERSION}). "
                "Upgrade, or point UNPREDICT_DB at another file."
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[target]:
                con.execute(statement)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])

    # -- runs -----------------------------------------------------------------------------------
    def find_run(self, cache_key: str) -> RunRecord | None:
        row = self._retrying(
            lambda con: con.execute("SELECT result FROM runs WHERE cache_key = ?", [cache_key]).fetchone()
        )
        return json.loads(row[0]) if row else None

    def save_run(self, result: RunRecord, cache_key: str, duration_s: float) -> bool:
        """Store a finished run atomically; False if an identical run was stored meanwhile."""

        def work(con: duckdb.DuckDBPyConnection) -> bool:
            if con.execute("SELECT 1 FROM runs WHERE cache_key = ?", [cache_key]).fetchone():
                return False
            con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    result["run_id"],
                    cache_key,
                    result["experiment"],
                    result["pair"],
                    json.dumps(result["params"], sort_keys=True),
                    result["code_version"],
                    datetime.fromisoformat(result["created_at"]),
                    duration_s,
                    json.dumps(result),
                ],
            )
            for side, record in result["sides"].items():
                data: Mapping[str, Any] = record  # every experiment's own rows, read where they are present
                con.execute(
                    "INSERT INTO sides VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        result["run_id"],
                        side,
                        data["model"],
                        data["identity"],
                        data["format"],
                        data["prompt"],
                        data.get("coverage"),
                        json.dumps(data.get("metrics", {})),
                    ],
                )
                counts = data.get("counts", {})
                answers = data.get("answers", {})
                if answers:
                    con.executemany(
                        "INSERT INTO answers VALUES (?, ?, ?, ?, ?)",
                        [[result["run_id"], side, answer, p, counts.get(answer)] for answer, p in answers.items()],
                    )
                rounds = data.get("rounds", [])
                if rounds:
                    con.executemany(
                        "INSERT INTO rounds VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [round_row(result["run_id"], side, i + 1, r) for i, r in enumerate(rounds)],
                    )
                poems = data.get("poems", [])
                if poems:
                    con.executemany(
                        "INSERT INTO poems VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [poem_row(result, side, i, p) for i, p in enumerate(poems)],
                    )
                if data.get("prompts"):
                    con.executemany(
                        "INSERT INTO benchmark_prompts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [benchmark_prompt_row(result["run_id"], side, row) for row in data["prompts"]],
                    )
            return True

        return self._retrying(work)

    def stored_keys(self, cache_keys: list[str]) -> dict[str, str]:
        """{cache key: run_id} for those of `cache_keys` that are stored, in one query (a sweep
        of 10,000 items asks once, not 10,000 times)."""
        rows = self._retrying(
            lambda con: con.execute(
                "SELECT cache_key, run_id FROM runs WHERE cache_key IN (SELECT unnest(?::VARCHAR[]))",
                [list(cache_keys)],
            ).fetchall()
        )
        return dict(rows)

    def list_runs(self, experiment: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        def work(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
            rows = con.execute(
                "SELECT run_id, experiment, pair, params, created_at, duration_s FROM runs "
                "WHERE ? IS NULL OR experiment = ? ORDER BY created_at DESC LIMIT ?",
                [experiment, experiment, limit],
            ).fetchall()
            names = ("run_id", "experiment", "pair", "params", "created_at", "duration_s")
            return [dict(zip(names, row)) for row in rows]

        return self._retrying(work)

    def answer_rows(self, run_id: str) -> list[tuple[str, str, float, int | None]]:
        return self._retrying(
            lambda con: con.execute(
                "SELECT side, answer, probability, count FROM answers WHERE run_id = ? ORDER BY side, answer",
                [run_id],
            ).fetchall()
        )

    def round_rows(self, run_id: str) -> list[tuple]:
        return self._retrying(
            lambda con: con.execute(
                "SELECT side, round, p, coverage, model_move, opponent_move, outcome FROM rounds "
                "WHERE run_id = ? ORDER BY side, round",
                [run_id],
            ).fetchall()
        )

    def count_runs(self) -> int:
        return self._retrying(lambda con: _value(con.execute("SELECT count(*) FROM runs").fetchone()))

    def schema_version(self) -> int:
        sql = "SELECT value FROM meta WHERE key = 'schema_version'"
        return int(self._retrying(lambda con: _value(con.execute(sql).fetchone())))

    # -- poetry: poems and votes (schema 3) -----------------------------------------------------
    def poem_rows(self, run_id: str) -> list[dict[str, Any]]:
        def work(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
            rows = con.execute(
                "SELECT poem_id, side, topic, sample, text, prompt, settings FROM poems "
                "WHERE run_id = ? ORDER BY side, topic, sample",
                [run_id],
            ).fetchall()
            names = ("poem_id", "side", "topic", "sample", "text", "prompt", "settings")
            return [dict(zip(names, row)) for row in rows]

        return self._retrying(work)

    def benchmark_prompt_rows(self, run_id: str) -> list[dict[str, Any]]:
        """A benchmark run's prompts, responses and verdicts, one dict per (side, prompt)."""

        def work(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
            names = ("side", "key", "prompt", "response", "instructions", "followed_strict", "followed_loose")
            rows = con.execute(
                "SELECT side, key, prompt, response, instructions, followed_strict, followed_loose "
                "FROM benchmark_prompts WHERE run_id = ? ORDER BY side, key",
                [run_id],
            ).fetchall()
            return [dict(zip(names, row)) | {"instructions": json.loads(row[4])} for row in rows]

        return self._retrying(work)

    def save_vote(self, vote_id: str, rater: str, poem_a: str, poem_b: str, choices: dict[str, str]) -> str:
        """Store one vote (a row per criterion, `choices[criterion]` is "a", "b" or "tie") in one
        transaction: all rows or none. Returns "stored", "repeat" (this rater had already rated
        this pair; stored and marked) or "duplicate" (this vote_id is stored already: nothing written)."""

        def work(con: duckdb.DuckDBPyConnection) -> str:
            if con.execute("SELECT 1 FROM votes WHERE vote_id = ?", [vote_id]).fetchone():
                return "duplicate"
            found = con.execute(
                "SELECT poem_id, side FROM poems WHERE poem_id = ? OR poem_id = ?", [poem_a, poem_b]
            ).fetchall()
            sides = dict(found)
            missing = [p for p in (poem_a, poem_b) if p not in sides]
            if missing:
                raise StoreError(f"Cannot store a vote on unknown poems: {', '.join(missing)}.")
            earlier = con.execute(
                "SELECT 1 FROM votes WHERE rater = ? AND ((poem_a = ? AND poem_b = ?) OR (poem_a = ? AND poem_b = ?))",
                [rater, poem_a, poem_b, poem_b, poem_a],
            ).fetchone()
            repeat = earlier is not None
            now = datetime.now(UTC)
            con.executemany(
                "INSERT INTO votes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [vote_id, rater, poem_a, poem_b, criterion, choice,
                     "tie" if choice == "tie" else sides[poem_a if choice == "a" else poem_b], repeat, now]
                    for criterion, choice in choices.items()
                ],
            )  # fmt: skip
            return "repeat" if repeat else "stored"

        return self._retrying(work)

    def vote_rows(self, run_id: str | None = None) -> list[dict[str, Any]]:
        """Every vote row (one per criterion), with the pair's topic; only one run's when given."""

        def work(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
            rows = con.execute(
                "SELECT v.vote_id, v.rater, v.poem_a, v.poem_b, p.topic, v.criterion, v.choice, v.chosen_side, "
                "v.repeat, v.created_at FROM votes v JOIN poems p ON p.poem_id = v.poem_a "
                "WHERE ? IS NULL OR p.run_id = ? ORDER BY v.created_at, v.vote_id, v.criterion",
                [run_id, run_id],
            ).fetchall()
            names = ("vote_id", "rater", "poem_a", "poem_b", "topic", "criterion", "choice", "chosen_side")
            return [dict(zip(names + ("repeat", "created_at"), row)) for row in rows]

        return self._retrying(work)

    # -- results browser: filter, fetch, delete ----------------------------------------
    def query_runs(
        self,
        *,
        experiments: list[str] | None = None,
        pairs: list[str] | None = None,
        model: str = "",
        params: dict[str, str] | None = None,
        limit: int = 5000,
    ) -> list[RunRecord]:
        """Runs matching every filter, newest first, each with its full result. `model` is a
        case-insensitive substring of either side's model; `params` maps a parameter name to its
        value as text. Every filter is a query parameter (a JSON pointer for the name), so text
        with quotes or SQL in it is only ever compared, never executed."""
        where: list[str] = []
        args: list[object] = []  # the query's parameters: lists, text
        if experiments:
            where.append("list_contains(?, experiment)")
            args.append(list(experiments))
        if pairs:
            where.append("list_contains(?, pair)")
            args.append(list(pairs))
        if model:
            where.append(
                "EXISTS (SELECT 1 FROM sides s WHERE s.run_id = runs.run_id AND contains(lower(s.model), lower(?)))"
            )
            args.append(model)
        for key, value in (params or {}).items():
            where.append("json_extract_string(params, ?) = ?")
            args += ["/" + key.replace("~", "~0").replace("/", "~1"), str(value)]
        sql = "SELECT result FROM runs" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY created_at DESC LIMIT ?"
        rows = self._retrying(lambda con: con.execute(sql, [*args, limit]).fetchall())
        return [json.loads(row[0]) for row in rows]

    def find_run_by_id(self, run_id: str) -> RunRecord | None:
        """A stored run's full result by its id (raters pick a stored poetry run, not a cache key)."""
        row = self._retrying(lambda con: con.execute("SELECT result FROM runs WHERE run_id = ?", [run_id]).fetchone())
        return json.loads(row[0]) if row else None

    def run_facets(self) -> dict[str, list[str]]:
        """The experiments, pairs and models present, for the filter widgets."""

        def work(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
            def values(sql: str) -> list[str]:
                return [row[0] for row in con.execute(sql).fetchall()]

            return {
                "experiments": values("SELECT DISTINCT experiment FROM runs ORDER BY 1"),
                "pairs": values("SELECT DISTINCT pair FROM runs ORDER BY 1"),
                "models": values("SELECT DISTINCT model FROM sides ORDER BY 1"),
            }

        return self._retrying(work)

    def delete_runs(self, run_ids: list[str]) -> int:
        """Delete runs and every row that belongs to them (in any table with a run_id column, and
        votes on their poems) in one transaction; returns how many runs were deleted."""

        def work(con: duckdb.DuckDBPyConnection) -> int:
            ids = list(run_ids)
            found = _value(con.execute("SELECT count(*) FROM runs WHERE list_contains(?, run_id)", [ids]).fetchone())
            tables = [
                row[0]
                for row in con.execute(
                    "SELECT table_name FROM information_schema.columns WHERE column_name = 'run_id' "
                    "AND table_schema = 'main' AND table_name <> 'runs'"
                ).fetchall()
            ]
            has_votes = con.execute("SELECT 1 FROM information_schema.tables WHERE table_name = 'votes'").fetchone()
            if "poems" in tables and has_votes:
                con.execute(
                    "DELETE FROM votes WHERE poem_a IN (SELECT poem_id FROM poems WHERE list_contains(?, run_id)) "
                    "OR poem_b IN (SELECT poem_id FROM poems WHERE list_contains(?, run_id))",
                    [ids, ids],
                )
            for table in tables:  # names come from the catalog, not from the user
                con.execute(f"DELETE FROM {_identifier(table)} WHERE list_contains(?, run_id)", [ids])
            con.execute("DELETE FROM runs WHERE list_contains(?, run_id)", [ids])
            return int(found)

        return self._retrying(work)
