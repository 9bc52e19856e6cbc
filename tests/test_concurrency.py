"""One writer process and three reader processes on one DuckDB file, for a bounded time (issue 8).

DuckDB lets one process hold the file; the store opens a short-lived connection per operation and
retries while another process holds it. Under this load nobody may see a lock error, the writer
may not be starved, readers may never see a half-written run, and the rows at the end are exactly
what the writer reports: none lost, none duplicated.

`UNPREDICT_LOAD_S` sets the duration (default 20 s; the README reports a longer run).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from unpredict_core.store import Store

ROOT = Path(__file__).resolve().parents[1]
LOAD_S = float(os.environ.get("UNPREDICT_LOAD_S", "20"))
READERS = 3


def spawn(role: str, db: Path, seconds: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.load_procs", role, str(db), str(seconds)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: float) -> dict:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"a {process.args[3]} process failed:\n{err}"
    assert "lock" not in err.lower(), err
    return json.loads(out.strip().splitlines()[-1])


def test_one_writer_and_three_readers_lose_nothing(isolated_db):
    Store(isolated_db)  # schema in place before the crowd arrives
    started = time.monotonic()
    writer = spawn("writer", isolated_db, LOAD_S)
    readers = [spawn("reader", isolated_db, LOAD_S) for _ in range(READERS)]
    wrote = finish(writer, LOAD_S + 120)
    tallies = [finish(r, LOAD_S + 120) for r in readers]
    elapsed = time.monotonic() - started

    run_ids = wrote["run_ids"]
    assert wrote["written"] >= 20, f"the writer was starved: {wrote['written']} runs in {elapsed:.0f} s"
    for tally in tallies:
        assert tally["reads"] >= 20, f"a reader was starved: {tally}"
        assert tally["incomplete"] == [], "a reader saw a run without all its answer rows"
    con = duckdb.connect(str(isolated_db), read_only=True)
    try:
        stored = [row[0] for row in con.execute("SELECT run_id FROM runs").fetchall()]
        sides = con.execute("SELECT count(*) FROM sides").fetchone()[0]
        answers = con.execute("SELECT count(*) FROM answers").fetchone()[0]
    finally:
        con.close()
    assert sorted(stored) == sorted(run_ids), "rows lost or duplicated"
    assert len(set(stored)) == len(stored)
    assert sides == 2 * len(run_ids) and answers == 22 * len(run_ids)
    print(
        f"\nload: 1 writer x {READERS} readers for {LOAD_S:.0f} s: {len(run_ids)} runs written "
        f"(slowest item {wrote['slowest_item_s']} s), {sum(t['reads'] for t in tallies)} reads "
        f"(slowest {max(t['slowest_read_s'] for t in tallies)} s), 0 lock errors, 0 rows lost"
    )
