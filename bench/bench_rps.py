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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("UNPREDICT_DB", str(Path(tempfile.mkdtemp()) / "bench.duckdb"))

from unpredict_core.experiments import rps  # noqa: E402
from unpredict_core.games import Match  # noqa: E402
from unpredict_core.loading import load_backend  # noqa: E402
from unpredict_core.models import DEFAULT_PAIR  # noqa: E402
from unpredict_core.opponents import make_opponent  # noqa: E402


def play(backend, fmt: str, rounds: int, reuse: bool) -> tuple[list[float], list[dict], int]:
    backend.reuse_prefix = reuse
    backend._prefix = None  # start cold either way
    encoded_before = backend.prefill_tokens
    match = Match(rps.RULES, backend, fmt, rps.INTRO[fmt], make_opponent("greedy"), seed=0)
    latencies = []
    for index in range(rounds):
        start = time.perf_counter()
        match.play_round()
        latencies.append(time.perf_counter() - start)
        if index % 10 == 9:
            print(
                f"  {'reuse' if reuse else 're-encode'} round {index + 1}: {latencies[-1] * 1000:.0f} ms",
                file=sys.stderr,
            )
    return latencies, [r.p for r in match.history], backend.prefill_tokens - encoded_before


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--side", choices=["aligned", "base"], default="aligned")
    parser.add_argument("--json", dest="json_out")
    args = parser.parse_args()
    spec = DEFAULT_PAIR.side(args.side)
    backend = load_backend(spec, "auto")
    fmt = spec.default_format
    with_reuse, p_reuse, tokens_reuse = play(backend, fmt, args.rounds, reuse=True)
    without, p_fresh, tokens_fresh = play(backend, fmt, args.rounds, reuse=False)
    first, last = with_reuse[0], with_reuse[-1]
    head, tail = statistics.median(with_reuse[1:6]), statistics.median(with_reuse[-5:])
    max_dp = max(abs(a[m] - b[m]) for a, b in zip(p_reuse, p_fresh) for m in a)
    results = {
        "model": spec.label,
        "format": fmt,
        "rounds": args.rounds,
        "device": str(backend.device),
        "round_1_ms": first * 1000,
        f"round_{args.rounds}_ms": last * 1000,
        "last_over_first": last / first,
        "median_last5_over_rounds2to6": tail / head,
        "game_s_reuse": sum(with_reuse),
        "game_s_reencode": sum(without),
        "reencode_over_reuse": sum(without) / sum(with_reuse),
        "tokens_encoded_reuse": tokens_reuse,
        "tokens_encoded_reencode": tokens_fresh,
        "max_abs_prob_difference": max_dp,
    }
    print(f"\nRPS prefix reuse on {spec.label} [{fmt}], {args.rounds} rounds, {results['device']}")
    print(
        f"  round 1: {first * 1000:.0f} ms   round {args.rounds}: {last * 1000:.0f} ms   "
        f"ratio {last / first:.2f} (goal ≤ 1.5: {'PASS' if last / first <= 1.5 else 'MISS'}); "
        f"median of last 5 / rounds 2-6: {tail / head:.2f}"
    )
    speedup = sum(without) / sum(with_reuse)
    print(
        f"  game with reuse {sum(with_reuse):.1f} s, re-encoding {sum(without):.1f} s: "
        f"{speedup:.1f}x (goal ≥ 5x: {'PASS' if speedup >= 5 else 'MISS'})"
    )
    print(
        f"  tokens encoded: {tokens_reuse} with reuse vs {tokens_fresh} re-encoding; "
        f"max |Δp| between the two games {max_dp:.1e}"
    )
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
