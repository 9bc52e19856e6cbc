"""The results database's schema, as the statements that bring a file from one version to the next.

A file records its version in `meta`; opening an older file applies the missing steps, and a file
from a newer unpredict is refused rather than misread.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from unpredict_core.errors import StoreError

SCHEMA_VERSION = 4
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


def migrate(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Bring the open database at `path` to SCHEMA_VERSION (inside the caller's transaction)."""
    con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    version = int(row[0]) if row else 0
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer unpredict (schema {version} > {SCHEMA_VERSION}). "
            "Upgrade, or point UNPREDICT_DB at another file."
        )
    for target in range(version + 1, SCHEMA_VERSION + 1):
        for statement in MIGRATIONS[target]:
            con.execute(statement)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
