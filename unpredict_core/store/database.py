"""The results store. Every SQL statement of the project lives in this package: the runs' tables
here, poetry's in poems.py, the schema in schema.py; turns.py runs each operation in its own
transaction, taking turns at the file with other processes. Row shapes: rows.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from unpredict_core.errors import StoreError
from unpredict_core.records import RunRecord
from unpredict_core.store.poems import PoemTables
from unpredict_core.store.rows import benchmark_prompt_row, poem_row, round_row
from unpredict_core.store.turns import first_value
from unpredict_core.store.unsaved import import_unsaved
from unpredict_core.trust import mark


def _identifier(name: str) -> str:
    """A table or column name quoted for SQL. Values always travel as parameters; names cannot,
    so the few read from the catalog are checked to be plain words before they are quoted
    (tests/backends/test_safe_defaults.py allows only this in an f-string query)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise StoreError(f"Refusing the unexpected table name {name!r} in the results database.")
    return f'"{name}"'


class Store(PoemTables):
    """The results store: runs, their rows, and the queries the results browser makes. Opening it
    imports the runs kept in `unsaved/` while it could not write (`store.unsaved`)."""

    def __init__(self, path: Path | str | None = None):
        super().__init__(path)
        self.import_unsaved()

    def import_unsaved(self) -> list[str]:
        """Import runs kept while the store could not write; what happened goes to `notices`."""
        said = import_unsaved(self)
        self.notices.extend(said)
        return said

    # -- runs -----------------------------------------------------------------------------------
    def find_run(self, cache_key: str) -> RunRecord | None:
        row = self._retrying(
            lambda con: con.execute("SELECT result FROM runs WHERE cache_key = ?", [cache_key]).fetchone()
        )
        return mark(json.loads(row[0])) if row else None

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
        return self._retrying(lambda con: first_value(con.execute("SELECT count(*) FROM runs").fetchone()))

    def schema_version(self) -> int:
        sql = "SELECT value FROM meta WHERE key = 'schema_version'"
        return int(self._retrying(lambda con: first_value(con.execute(sql).fetchone())))

    # -- a benchmark measured here: its prompts, responses and verdicts --------------------------
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
        return [mark(json.loads(row[0])) for row in rows]

    def find_run_by_id(self, run_id: str) -> RunRecord | None:
        """A stored run's full result by its id (raters pick a stored poetry run, not a cache key)."""
        row = self._retrying(lambda con: con.execute("SELECT result FROM runs WHERE run_id = ?", [run_id]).fetchone())
        return mark(json.loads(row[0])) if row else None

    def untrusted_runs(self, run_ids: list[str]) -> dict[str, list[str]]:
        """{run_id: why} for those of `run_ids` whose stored numbers fail the trust check."""
        rows = self._retrying(
            lambda con: con.execute(
                "SELECT result FROM runs WHERE run_id IN (SELECT unnest(?::VARCHAR[]))", [list(run_ids)]
            ).fetchall()
        )
        marked = [mark(json.loads(row[0])) for row in rows]
        return {r["run_id"]: r["trust_problems"] for r in marked if "trust_problems" in r}

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
            found = first_value(
                con.execute("SELECT count(*) FROM runs WHERE list_contains(?, run_id)", [ids]).fetchone()
            )
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
