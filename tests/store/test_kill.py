"""`kill -9` of writers at random moments: the database opens cleanly every time (nothing
set aside as corrupt), no half-written run is ever visible, at most the item in flight is lost, and
a resumed sweep completes the rest. A reader process keeps reading throughout and never errs.

The dashboard process killed during a run is in tests/browser/test_browser_walk.py (it needs a browser).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from unpredict_core.backends.scripted_pairs import DELAY_ENV, ENABLE_ENV
from unpredict_core.store.database import Store

ROOT = Path(__file__).resolve().parents[2]
ITEMS = 16
SWEEP = f"""pairs = ["scripted"]
seeds = {list(range(ITEMS))}
[[experiment]]
name = "random-integers"
mode = "exact"
"""


def integrity(db: Path) -> int:
    """The number of runs, after checking the file opens without being set aside and that every
    run has both sides and their answers, and no row belongs to a run that is not there."""
    store = Store(db)
    assert store.notices == [], store.notices
    assert not [p for p in db.parent.iterdir() if ".corrupt-" in p.name]

    def count(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
        runs = con.execute("SELECT count(*) FROM runs").fetchone()[0]
        half = con.execute(
            "SELECT count(*) FROM runs r WHERE (SELECT count(*) FROM sides s WHERE s.run_id = r.run_id) <> 2 "
            "OR (SELECT count(DISTINCT side) FROM answers a WHERE a.run_id = r.run_id) <> 2"
        ).fetchone()[0]
        orphans = con.execute(
            "SELECT (SELECT count(*) FROM sides WHERE run_id NOT IN (SELECT run_id FROM runs)) + "
            "(SELECT count(*) FROM answers WHERE run_id NOT IN (SELECT run_id FROM runs))"
        ).fetchone()[0]
        return runs, half, orphans

    runs, half, orphans = store._retrying(count)  # takes its turn: a reader may hold the file
    assert half == 0, f"{half} runs are missing a side or its answers"
    assert orphans == 0, f"{orphans} rows belong to no run"
    return runs


def sweep(file: Path, db: Path, log: Path, delay: float) -> subprocess.Popen:
    env = os.environ | {ENABLE_ENV: "1", DELAY_ENV: str(delay), "UNPREDICT_DB": str(db)}
    return subprocess.Popen(
        [sys.executable, "-m", "unpredict_core", "sweep", str(file), "--json"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
    )


def reader(db: Path, seconds: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.load_procs", "reader", str(db), str(seconds)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_sweep_killed_again_and_again_loses_at_most_the_item_in_flight(tmp_path, isolated_db):
    file = tmp_path / "sweep.toml"
    file.write_text(SWEEP)
    Store(isolated_db)
    watcher = reader(isolated_db, 20)
    rng = random.Random(8)
    kills, stored = 0, 0
    for cycle in range(8):
        log = tmp_path / f"sweep-{cycle}.log"
        proc = sweep(file, isolated_db, log, delay=0.02)
        started = time.monotonic()  # imports take seconds: wait for the sweep to start working
        while "to do" not in log.read_text() and proc.poll() is None and time.monotonic() - started < 60:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 1.2))  # then kill at a random moment: mid-item or mid-write
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=60)
        reported = sum(line.startswith("done") for line in log.read_text().splitlines())
        now = integrity(isolated_db)
        assert stored + reported <= now <= stored + reported + 1, (
            f"cycle {cycle}: {stored} stored before, the sweep reported {reported} more, {now} now"
        )
        stored = now
        if proc.returncode == 0:
            break
    assert kills >= 3, "the sweep finished before it was killed often enough to test anything"
    print(f"\nkill -9: {kills} kills of a sweep of {ITEMS} items; {stored} stored before the last resume")

    final = sweep(file, isolated_db, tmp_path / "final.log", delay=0.0)
    out, _ = final.communicate(timeout=120)
    assert final.returncode == 0, (tmp_path / "final.log").read_text()
    summary = json.loads(out)
    assert summary["failed"] == 0 and summary["cached"] + summary["done"] == ITEMS
    assert integrity(isolated_db) == ITEMS

    out, err = watcher.communicate(timeout=60)
    assert watcher.returncode == 0, f"the reader failed while writers were killed:\n{err}"
    assert json.loads(out)["incomplete"] == []


def test_every_run_a_killed_writer_reported_stored_is_there(tmp_path, isolated_db):
    """Durability: what the writer was told is committed survives its kill -9 (the WAL replays)."""
    Store(isolated_db)
    reported: list[str] = []
    for cycle, wait in enumerate((1.5, 2.0, 2.5, 3.0)):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.load_procs", "writer", str(isolated_db), "-1", str(1000 * cycle)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(wait)
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL, err
        reported += [json.loads(line)["stored"] for line in out.splitlines() if line.startswith("{")]
        runs = integrity(isolated_db)
        assert len(reported) <= runs <= len(reported) + cycle + 1  # one run in flight per kill at most
    present = {run["run_id"] for run in Store(isolated_db).list_runs(limit=100_000)}
    assert reported and set(reported) <= present
