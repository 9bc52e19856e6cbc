"""Poetry's tables: poems with their prompt and settings, and blind pairwise votes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb

from unpredict_core.errors import StoreError
from unpredict_core.store.turns import StoreFile


class PoemTables(StoreFile):
    """Reading poems and storing and reading votes on them (a vote's rows in one transaction)."""

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
