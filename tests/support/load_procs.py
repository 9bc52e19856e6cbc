"""The processes of the load and crash tests, run as `python -m tests.support.load_procs ROLE DB SECONDS`.

- `writer`: stores scripted random-integers runs (seed 0, 1, 2, ...) through `runs.run_experiment`
  for SECONDS, then prints {"written": n, "run_ids": [...], ...} as one JSON line. With SECONDS < 0
  it writes forever (for kill -9 tests) and prints each stored run id as it goes.
- `reader`: what a dashboard does, in a loop for SECONDS (or until the file named by a fourth
  argument exists): count the runs, list the newest, read one
  run's answer rows. It checks every run it sees is complete (22 answer rows: a half-written run
  must never be visible) and that the count never goes down, then prints its tally as JSON.

Any exception (a lock error included) escapes with a traceback and a non-zero exit status, which
the tests treat as a failure.
"""

from __future__ import annotations

import json
import os
import sys
import time

from tests.support.scripted_pair import PAIR, ScriptedLoader
from unpredict_core.experiments.random_integers import Params
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store

ANSWER_ROWS = 22  # 11 answers × 2 sides for a scripted random-integers run


def writer(db: str, seconds: float, first_seed: int = 0) -> None:
    store, loader = Store(db), ScriptedLoader()
    forever = seconds < 0
    deadline = time.monotonic() + seconds
    run_ids, slowest, seed = [], 0.0, first_seed
    while forever or time.monotonic() < deadline:
        started = time.monotonic()
        result = run_experiment("random-integers", PAIR, Params(seed=seed), store=store, load=loader)
        slowest = max(slowest, time.monotonic() - started)
        if not result["cached"]:
            run_ids.append(result["run_id"])
            if forever:
                print(json.dumps({"stored": result["run_id"], "seed": seed}), flush=True)
        seed += 1
    print(json.dumps({"written": len(run_ids), "run_ids": run_ids, "slowest_item_s": round(slowest, 3)}))


def reader(db: str, seconds: float, stop_file: str = "") -> None:
    store = Store(db)
    deadline = time.monotonic() + seconds
    reads, last_count, slowest, incomplete = 0, 0, 0.0, []
    while time.monotonic() < deadline and not (stop_file and os.path.exists(stop_file)):
        started = time.monotonic()
        count = store.count_runs()
        newest = store.list_runs(limit=5)
        rows = store.answer_rows(newest[0]["run_id"]) if newest else []
        slowest = max(slowest, time.monotonic() - started)
        if count < last_count:
            raise AssertionError(f"the run count went down: {last_count} -> {count}")
        if newest and len(rows) != ANSWER_ROWS:
            incomplete.append(newest[0]["run_id"])
        last_count, reads = count, reads + 1
        time.sleep(0.01)  # a dashboard rerun is not a busy loop
    print(
        json.dumps(
            {"reads": reads, "last_count": last_count, "slowest_read_s": round(slowest, 3), "incomplete": incomplete}
        )
    )


if __name__ == "__main__":
    role, db, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    if role == "writer":
        writer(db, seconds, int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    else:
        reader(db, seconds, sys.argv[4] if len(sys.argv) > 4 else "")
