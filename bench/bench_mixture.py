"""Token mixture cost: a mixed rock-paper-scissors round against a round of one side alone.

A token-mixture round scores the answer trie on both models (each on its own prompt and KV cache)
and runs the experiment's two prompt formats in lockstep threads; one side alone does half of the
model work. This plays the same seeded game (greedy adversary) three ways on the same machine:
the base side alone (plain prompt), the aligned side alone (chat prompt), and the token mixture at
α = 0.5, and prints the median round time of each and the ratio mixed / one side (expected ≈ 2).

The default pair cannot be token-mixed (different tokenizers), so by default both sides are
SmolLM2-135M-Instruct loaded twice, as two independent models: a measure of cost, not a result.
Give --pair for a real pair that shares a tokenizer (e.g. smollm2-135m, if it is in the local hub
cache).

    python bench/bench_mixture.py [--rounds 20] [--repeats 2] [--pair NAME] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("UNPREDICT_DB", str(Path(tempfile.mkdtemp()) / "bench.duckdb"))

from unpredict_core.backends.loading import load_backend  # noqa: E402
from unpredict_core.backends.mixture.lockstep import run_mixed_side  # noqa: E402
from unpredict_core.backends.mixture.token import TokenMixture  # noqa: E402
from unpredict_core.backends.models import DEFAULT_PAIR, get_pair  # noqa: E402
from unpredict_core.experiments.games import rps  # noqa: E402


def timed_rounds(run, rounds: int) -> list[float]:
    """Seconds per round of one game, from the per-round progress calls."""
    stamps = [time.perf_counter()]

    def progress(fraction: float, message: str) -> None:
        if "round" in message:
            stamps.append(time.perf_counter())

    run(progress)
    return [b - a for a, b in zip(stamps, stamps[1:])][:rounds]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=2, help="games of each kind, interleaved")
    parser.add_argument("--pair", help="a preset pair whose sides share a tokenizer (default: SmolLM2 twice)")
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args()
    if args.pair:
        pair = get_pair(args.pair)
        base_spec, aligned_spec = pair.base, pair.aligned
    else:
        base_spec = aligned_spec = DEFAULT_PAIR.aligned
    base, aligned = load_backend(base_spec, "cpu"), load_backend(aligned_spec, "cpu")
    params = rps.Params(rounds=args.rounds, seed=0)
    plain, chat = ("plain", rps.INTRO["plain"]), ("chat", rps.INTRO["chat"])
    for backend, (fmt, text) in ((base, plain), (aligned, chat)):  # one-time costs off the clock
        rps.run_side(backend, fmt, text, rps.Params(rounds=1, seed=9))
    mixer = TokenMixture(base, aligned, 0.5)
    games = {
        "base alone": lambda p: rps.run_side(base, *plain, params, p),
        "token mixture α=0.5": lambda p: run_mixed_side(rps.run_side, mixer, plain, chat, params, p),
        "aligned alone": lambda p: rps.run_side(aligned, *chat, params, p),
    }
    times: dict[str, list[float]] = {name: [] for name in games}
    for repeat in range(args.repeats):  # interleaved, the order reversed each time: load falls on all three
        for name in list(games)[:: 1 if repeat % 2 == 0 else -1]:
            base._prefix = aligned._prefix = None  # every game starts cold, as a fresh game does
            times[name] += timed_rounds(games[name], args.rounds)
            print(f"  {name}: repeat {repeat + 1} done", file=sys.stderr)
    medians = {name: statistics.median(values) for name, values in times.items()}
    one_side = (medians["base alone"] + medians["aligned alone"]) / 2
    out = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.python_version()}",
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        "sides": [base_spec.label, aligned_spec.label],
        "rounds": args.rounds,
        "repeats": args.repeats,
        "median_round_s": medians,
        "mixed_over_one_side": medians["token mixture α=0.5"] / one_side,
        "provenance": "measured here",
    }
    for name, value in medians.items():
        print(f"{name:22s} median round {value * 1000:8.1f} ms")
    print(f"mixed / one side (mean of the two): {out['mixed_over_one_side']:.2f}×   [{out['uptime']}]")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
