"""RPS prefix reuse: does a round stay cheap as the history grows, and what does reuse save?

Plays the same seeded game (greedy adversary) twice on one model: with the KV cache of the shared
history reused (the default) and with every prompt re-encoded from scratch. Prints, measured in
this run: round-100 latency / round-1 latency with reuse (goal ≤ 1.5), and the whole game's time
without reuse / with reuse (goal ≥ 5×). Also checks both games saw the same probabilities.

    python bench/bench_rps.py [--rounds 100] [--side aligned|base] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("UNPREDICT_DB", str(Path(tempfile.mkdtemp()) / "bench.duckdb"))

from unpredict_core.backends.loading import load_backend  # noqa: E402
from unpredict_core.backends.models import DEFAULT_PAIR  # noqa: E402
from unpredict_core.experiments.games import rps  # noqa: E402
from unpredict_core.experiments.games.engine import Match  # noqa: E402
from unpredict_core.experiments.games.opponents import make_opponent  # noqa: E402


def warm_up(backend, fmt: str) -> float:
    """Pay one-time costs (the vocabulary's answer-extension mask, the head-split probe, the tree
    scoring check) before the clock starts, so that round 1 is a round like the others."""
    start = time.perf_counter()
    backend.score_choices(backend.render("Pick one: rock, paper or scissors.", fmt), ["rock", "paper", "scissors"])
    backend._prefix = None
    return time.perf_counter() - start


def play(backend, fmt: str, rounds: int, reuse: bool) -> tuple[list[float], list[float], list[dict], int]:
    backend.reuse_prefix = reuse
    backend._prefix = None  # start cold either way
    encoded_before = backend.prefill_tokens
    match = Match(rps.RULES, backend, fmt, rps.INTRO[fmt], make_opponent("greedy"), seed=0)
    latencies, cpu = [], []
    for index in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        match.play_round()
        latencies.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        if index % 10 == 9:
            print(
                f"  {'reuse' if reuse else 're-encode'} round {index + 1}: {latencies[-1] * 1000:.0f} ms",
                file=sys.stderr,
            )
    return latencies, cpu, [r.p for r in match.history], backend.prefill_tokens - encoded_before


def summary(clock: str, reuse: list[float], fresh: list[float]) -> dict:
    """Goal ratios on one clock: the literal round N / round 1, the same with 5-round medians at
    each end (one noisy round cannot decide it), and the whole game re-encoding / reusing."""
    literal = reuse[-1] / reuse[0]
    windowed = statistics.median(reuse[-5:]) / statistics.median(reuse[:5])
    speedup = sum(fresh) / sum(reuse)
    print(
        f"  [{clock}] round 1: {reuse[0] * 1000:.0f} ms, round {len(reuse)}: {reuse[-1] * 1000:.0f} ms, "
        f"ratio {literal:.2f}; medians of the last 5 / first 5 rounds {windowed:.2f} "
        f"(goal ≤ 1.5: {'PASS' if windowed <= 1.5 else 'MISS'})\n"
        f"  [{clock}] game with reuse {sum(reuse):.1f} s, re-encoding {sum(fresh):.1f} s: "
        f"{speedup:.1f}x (goal ≥ 5x: {'PASS' if speedup >= 5 else 'MISS'})"
    )
    return {
        "round_1_ms": reuse[0] * 1000,
        "round_last_ms": reuse[-1] * 1000,
        "last_over_first": literal,
        "median_last5_over_first5": windowed,
        "game_s_reuse": sum(reuse),
        "game_s_reencode": sum(fresh),
        "reencode_over_reuse": speedup,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--side", choices=["aligned", "base"], default="aligned")
    parser.add_argument("--threads", type=int, help="torch CPU threads (1 makes CPU time immune to other load)")
    parser.add_argument("--batched", action="store_true", help="score with the batched fallback, not the tree")
    parser.add_argument("--json", dest="json_out")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    spec = DEFAULT_PAIR.side(args.side)
    backend = load_backend(spec, "auto")
    backend.tree_scoring = not args.batched
    fmt = spec.default_format
    print(f"warm-up (one-time setup, not timed in the game): {warm_up(backend, fmt):.1f} s", file=sys.stderr)
    wall_reuse, cpu_reuse, p_reuse, tokens_reuse = play(backend, fmt, args.rounds, reuse=True)
    wall_fresh, cpu_fresh, p_fresh, tokens_fresh = play(backend, fmt, args.rounds, reuse=False)
    max_dp = max(abs(a[m] - b[m]) for a, b in zip(p_reuse, p_fresh) for m in a)
    path = "tree" if backend.tree_scoring and backend._tree_ok else "batched"
    print(
        f"\nRPS prefix reuse on {spec.label} [{fmt}], {args.rounds} rounds, {backend.device}, {path} scoring, "
        f"{torch.get_num_threads()} thread(s); wall = elapsed time, cpu = this process's CPU time"
    )
    results = {
        "model": spec.label,
        "format": fmt,
        "rounds": args.rounds,
        "device": str(backend.device),
        "scoring_path": path,
        "threads": torch.get_num_threads(),
        "wall": summary("wall", wall_reuse, wall_fresh),
        "cpu": summary("cpu", cpu_reuse, cpu_fresh),
        "tokens_encoded_reuse": tokens_reuse,
        "tokens_encoded_reencode": tokens_fresh,
        "max_abs_prob_difference": max_dp,
        "load_average_1min_end": os.getloadavg()[0],
    }
    print(
        f"  tokens encoded: {tokens_reuse} with reuse vs {tokens_fresh} re-encoding; "
        f"max |Δp| between the two games {max_dp:.1e}; 1-min load average at the end "
        f"{results['load_average_1min_end']:.1f} on {os.cpu_count()} cores"
    )
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
