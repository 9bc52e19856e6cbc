"""The sweep CLI writing while three reader processes read the same DuckDB file.

DuckDB lets one process hold the file; the store opens a short-lived connection per operation and
waits its turn (a flock) while another process holds it. Under this load nobody may see a lock
error, the sweep may not be starved, readers may never see a half-written run, and the rows at
the end are exactly what the sweep reports: none lost, none duplicated.

`UNPREDICT_LOAD_S` sizes the load (default 20: a sweep of 1.5 items per second asked, at least 20;
the README reports a longer run).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from unpredict_core.backends.scripted_pairs import DELAY_ENV, ENABLE_ENV
from unpredict_core.store.database import Store

ROOT = Path(__file__).resolve().parents[2]
LOAD_S = float(os.environ.get("UNPREDICT_LOAD_S", "20"))
ITEMS = max(20, int(1.5 * LOAD_S))
READERS = 3


def sweep_file(folder: Path) -> Path:
    file = folder / "load.toml"
    experiment = '[[experiment]]\nname = "random-integers"\nmode = "exact"\n'
    file.write_text(f'pairs = ["scripted"]\nseeds = {list(range(ITEMS))}\n{experiment}')
    return file


def finish(process: subprocess.Popen, timeout: float) -> dict:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"{process.args[2:4]} failed:\n{err}"
    assert "lock" not in err.lower() and "Traceback" not in err, err
    return json.loads(out.strip().splitlines()[-1])


def test_a_sweep_and_three_readers_lose_nothing(tmp_path, isolated_db):
    Store(isolated_db)  # schema in place before the crowd arrives
    stop = tmp_path / "stop"
    env = os.environ | {ENABLE_ENV: "1", "UNPREDICT_DB": str(isolated_db)}
    env.pop(DELAY_ENV, None)
    started = time.monotonic()
    readers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.support.load_procs", "reader", str(isolated_db),
             str(20 * LOAD_S + 600), str(stop)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(READERS)
    ]  # fmt: skip
    writer = subprocess.Popen(
        [sys.executable, "-m", "unpredict_core", "sweep", str(sweep_file(tmp_path)), "--json"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    summary = finish(writer, 20 * LOAD_S + 600)
    stop.touch()
    elapsed = time.monotonic() - started
    tallies = [finish(r, 120) for r in readers]

    assert summary["done"] == ITEMS and summary["failed"] == 0 and not summary["interrupted"]
    for tally in tallies:
        assert tally["reads"] >= 20, f"a reader was starved: {tally}"
        assert tally["incomplete"] == [], "a reader saw a run without all its answer rows"
    con = duckdb.connect(str(isolated_db), read_only=True)
    try:
        stored = [row[0] for row in con.execute("SELECT run_id FROM runs").fetchall()]
        sides = con.execute("SELECT count(*) FROM sides").fetchone()[0]
        seeds = con.execute("SELECT count(DISTINCT json_extract_string(params, '$.seed')) FROM runs").fetchone()[0]
    finally:
        con.close()
    assert len(stored) == ITEMS and len(set(stored)) == ITEMS, "rows lost or duplicated"
    assert seeds == ITEMS and sides == 2 * ITEMS
    print(
        f"\nload: 1 sweep x {READERS} readers for {elapsed:.0f} s: {ITEMS} runs written, "
        f"{sum(t['reads'] for t in tallies)} reads (slowest {max(t['slowest_read_s'] for t in tallies)} s), "
        "0 lock errors, 0 rows lost or duplicated"
    )


def test_dashboard_threads_and_a_writer_process_take_turns(isolated_db):
    """The dashboard shares one Store between its sessions' threads: each turn opens its own lock
    descriptor, so threads wait for each other and for the writer process, and none sees an error."""
    import threading

    store = Store(isolated_db)
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.support.load_procs", "writer", str(isolated_db), "8"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    errors: list[BaseException] = []
    reads = [0] * 3

    def session(index: int) -> None:
        try:
            while writer.poll() is None:
                for run in store.list_runs(limit=3):
                    assert len(store.answer_rows(run["run_id"])) == 22
                reads[index] += 1
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    wrote = finish(writer, 120)
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert min(reads) >= 5, reads
    assert store.count_runs() == wrote["written"] >= 5
