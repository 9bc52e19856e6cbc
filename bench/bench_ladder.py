"""The default ladder's budget: both stages, data generation included, timed from nothing.

Runs `python -m unpredict_core ladder build --json` in a child process with a fresh, empty ladder
folder (UNPREDICT_LADDER_DIR; the base's one-time GGUF conversion stays in the cache, as after any
first run), and reports the wall time, each phase the build reports, the child's peak resident
memory, and whether each stage learned something (held-out strict accuracy above the base's, its
paired 95 % interval above 0). The issue's budget: ≤ 20 min on 2 idle CPU cores and ≤ 8 GB.

    python bench/bench_ladder.py [--device cpu|cuda] [--keep DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S, BUDGET_BYTES = 20 * 60, 8 * 10**9


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    parser.add_argument("--keep", help="build into this folder (kept) instead of a temporary one")
    parser.add_argument("--json", help="also write the report to this file")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ladder-bench-"))
    env = os.environ | {"UNPREDICT_LADDER_DIR": str(folder), "PYTHONUNBUFFERED": "1"}
    began = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-m", "unpredict_core", "ladder", "build", "--device", args.device, "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.monotonic() - began
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # Linux reports KiB
    if child.returncode != 0:
        print(child.stderr[-3000:], file=sys.stderr)
        return child.returncode
    result = json.loads(child.stdout)
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load before {os.getloadavg()[0]:.2f}",
        "device": args.device,
        "seconds": round(seconds, 1),
        "peak_rss_gb": round(peak / 1e9, 2),
        "within_budget": seconds <= BUDGET_S and peak <= BUDGET_BYTES,
        "heldout_base": result["heldout_base"],
        "stages": [
            {
                "stage": s["stage"],
                "train": {k: v for k, v in s["train"].items() if k != "loss_curve"},
                "heldout": s["heldout"],
                "learned": s["heldout"]["diff_ci"][0] > 0,
            }  # fmt: skip
            for s in result["stages"]
        ],
    }
    print(json.dumps(report, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
