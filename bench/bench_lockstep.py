"""Games in lockstep batches vs one by one: G rock-paper-scissors games on one model.

Plays the same G seeded games twice on one model: in lockstep (each round of all G games scored
in one batched forward, `unpredict_core/lockstep.py`) and one game after another (each round its
own `score_choices`, with the usual KV reuse). Prints, measured in this run: the wall time of
each, their ratio (one by one / lockstep), and the largest probability difference between the two
(it should stay below 1e-5). Opponents are the RoShamBo bots in order (our own where OpenSpiel is
missing), so the G histories differ.

    python bench/bench_lockstep.py [--device cpu|cuda] [--games 8,43] [--rounds 50]
                                   [--side aligned|base|both] [--quick] [--json OUT]

`--quick`: G = 8 and 43 for 5 rounds on the aligned side only, one-by-one play timed on 8 of the
games (a check of the script and a first ratio; ~10 minutes on 2 idle CPU cores).
`--single-games K` times one-by-one play on K of the G games only and scales it by G/K (said so in
the output), for long runs on a CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("UNPREDICT_DB", str(Path(tempfile.mkdtemp()) / "bench.duckdb"))

from unpredict_core.backends.loading import load_backend  # noqa: E402
from unpredict_core.backends.models import DEFAULT_PAIR  # noqa: E402
from unpredict_core.experiments.games import (
    roshambo,  # noqa: E402
    rps,  # noqa: E402
    rps_tournament,
)
from unpredict_core.experiments.games.engine import Match  # noqa: E402
from unpredict_core.experiments.games.lockstep import play_lockstep  # noqa: E402
from unpredict_core.experiments.games.opponents import close_opponent, make_opponent  # noqa: E402


def opponents(games: int) -> list[str]:
    field = roshambo.opponent_names() or list(rps_tournament.OURS)
    return [field[i % len(field)] for i in range(games)]


def new_matches(backend, fmt: str, names: list[str]) -> list[Match]:
    return [Match(rps.RULES, backend, fmt, rps.INTRO[fmt], make_opponent(n), seed=i) for i, n in enumerate(names)]


def close(matches: list[Match]) -> None:
    for match in matches:
        close_opponent(match.opponent)


def measure(backend, fmt: str, games: int, rounds: int, single_games: int | None) -> dict:
    names = opponents(games)
    backend._prefix = None
    batched = new_matches(backend, fmt, names)
    start = time.perf_counter()
    how = play_lockstep(batched, rounds)
    lockstep_s = time.perf_counter() - start
    close(batched)
    print(f"  G={games}: lockstep ({how}) {lockstep_s:.1f} s", file=sys.stderr)
    played = min(games, single_games or games)
    backend._prefix = None
    single = new_matches(backend, fmt, names[:played])
    start = time.perf_counter()
    for match in single:
        for _ in range(rounds):
            match.play_round()
    single_s = (time.perf_counter() - start) * games / played
    close(single)
    max_dp = max(
        abs(a.p[m] - b.p[m]) for x, y in zip(batched, single) for a, b in zip(x.history, y.history) for m in a.p
    )
    note = "" if played == games else f" (timed on {played} games, scaled by {games}/{played})"
    print(f"  G={games}: one by one {single_s:.1f} s{note}; ratio {single_s / lockstep_s:.2f}x", file=sys.stderr)
    return {
        "games": games,
        "rounds": rounds,
        "batching": how,
        "lockstep_s": lockstep_s,
        "one_by_one_s": single_s,
        "one_by_one_timed_games": played,
        "one_by_one_over_lockstep": single_s / lockstep_s,
        "max_abs_prob_difference": max_dp,
        "load_average_1min_end": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--games", default="8,43", help="comma-separated G values")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--side", choices=["aligned", "base", "both"], default="both")
    parser.add_argument("--single-games", type=int, help="time one-by-one play on this many games only")
    parser.add_argument("--quick", action="store_true", help="G = 8, 43 for 5 rounds, aligned side, --single-games 8")
    parser.add_argument(
        "--model", choices=["auto", "default", "llama-8b-shaped"], default="auto",
        help="auto: the default pair on CPU, bench_gpu's random 8B-shaped model on CUDA or with --smoke",
    )  # fmt: skip
    parser.add_argument(
        "--smoke", action="store_true", help="2 games of 2 rounds on a tiny 8B-shaped model: checks the code"
    )
    parser.add_argument("--json", dest="json_out")
    args = parser.parse_args()
    cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    if args.model == "auto":
        args.model = "llama-8b-shaped" if cuda or args.smoke else "default"
    if args.smoke:
        args.games, args.rounds, args.side = "2", 2, "aligned"
    if args.quick:
        args.rounds, args.side, args.games = 5, "aligned", "8,43"
        args.single_games = args.single_games or 8
    sides = ["base", "aligned"] if args.side == "both" else [args.side]
    results = {"device": args.device, "cpu_cores": os.cpu_count(), "threads": torch.get_num_threads(), "runs": []}
    for role in sides:
        if args.model == "default":
            spec = DEFAULT_PAIR.side(role)
            backend, fmt, label = load_backend(spec, args.device), spec.default_format, spec.label
        else:  # one random-weight model stands for a side: a throughput figure (the default pair cannot travel)
            from bench.bench_gpu import random_llama_backend

            backend, fmt = random_llama_backend("cuda" if cuda else "cpu", args.smoke, chat_template=False), "plain"
            label = backend.label
        backend.score_choices(backend.render(rps.INTRO[fmt], fmt), ["rock", "paper", "scissors"])  # one-time setup
        print(f"{label} [{fmt}] on {backend.device}:", file=sys.stderr)
        for games in (int(g) for g in args.games.split(",")):
            run = measure(backend, fmt, games, args.rounds, args.single_games)
            results["runs"].append({"model": label, "format": fmt, "device": str(backend.device)} | run)
    print(f"\nLockstep batches vs one by one, {args.rounds} rounds, {torch.get_num_threads()} thread(s):")
    for run in results["runs"]:
        print(
            f"  {run['model'][:40]:40s} G={run['games']:3d}: lockstep {run['lockstep_s']:7.1f} s, one by one "
            f"{run['one_by_one_s']:7.1f} s ({run['one_by_one_over_lockstep']:.2f}x), max |Δp| "
            f"{run['max_abs_prob_difference']:.1e}, load {run['load_average_1min_end']:.1f}"
        )
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
