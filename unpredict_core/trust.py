"""One trust check for stored runs, made where they are read (`store.database`), so every reader —
Results, the scatter, exports, sweeps, talk mode — sees the same verdict.

A run is untrusted when it holds a number no measurement can give (`out_of_range`: not finite, a
probability outside [0, 1], answer probabilities adding up to more than 1) — for example one stored
by an older version against a server that sent positive log-probabilities (coverage 3.1e9). Such a
run is kept (nothing is deleted behind the user's back) but marked: its `provenance` says
"untrusted" with the reasons in `trust_problems`, the scatter leaves it out, exports carry the
mark in their provenance column, and a run or sweep that finds it stored refuses to answer from it
and says how to recompute it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from unpredict_core.records import Provenance, RunRecord

UNTRUSTED: Provenance = "untrusted: stored numbers no measurement can give"

# Numbers that are probabilities or shares wherever they appear in a stored side.
PROBABILITY_KEYS = frozenset(
    {"coverage", "min_coverage", "p_value", "p7", "tv", "unresolved", "found_rate", "expected_found_rate",
     "optimal_found_rate", "win_rate"}
)  # fmt: skip
_SLACK = 1e-3  # rounding, as backend.PROBABILITY_TOLERANCE


def out_of_range(result: Mapping[str, Any]) -> list[str]:  # stored JSON, trusted in no detail
    """Every number of a stored run that no measurement can give: not finite, a probability outside
    [0, 1], answer probabilities adding up to more than 1. Empty for a sound run; the Results page
    flags the others (runs stored before such numbers were refused, or a hand-edited database)."""
    problems: list[str] = []

    def walk(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{where}.{key}" if where else str(key))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, f"{where}[{index}]")
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(f"{where} is {value}")

    walk(result, "")
    for role, side in (result.get("sides") or {}).items():
        if not isinstance(side, dict):
            continue
        numbers = {**side, **(side.get("metrics") or {})}
        for key in PROBABILITY_KEYS & set(numbers):
            value = numbers[key]
            if isinstance(value, int | float) and not -_SLACK <= value <= 1 + _SLACK:
                problems.append(f"{role} {key} is {value:.6g}, outside [0, 1]")
        for name in ("answers", "raw"):
            probs = side.get(name)
            if isinstance(probs, dict) and probs:
                values = [v for v in probs.values() if isinstance(v, int | float)]
                if any(not -_SLACK <= v <= 1 + _SLACK for v in values) or sum(values) > 1 + _SLACK:
                    problems.append(f"{role} {name} are not probabilities (they add up to {sum(values):.6g})")
        for metric, score in (side.get("accuracy") or {}).items():  # IFEval / IFBench: shares and counts
            if not isinstance(score, dict):
                continue
            scale = 100.0 if metric == "oll_ifeval" else 1.0  # the leaderboard's scale is 0–100
            for value in [score.get("value"), *(score.get("ci") or [])]:
                if isinstance(value, int | float) and not -_SLACK <= value <= scale * (1 + _SLACK):
                    problems.append(f"{role} accuracy {metric} is {value:.6g}, outside [0, {scale:g}]")
                    break
            successes, trials = score.get("successes"), score.get("trials")
            if isinstance(successes, int) and isinstance(trials, int) and not 0 <= successes <= trials:
                problems.append(f"{role} accuracy {metric}: {successes} successes of {trials} trials")
        for index, entry in enumerate(side.get("rounds") or []):
            p = entry.get("p") if isinstance(entry, dict) else None
            if isinstance(p, dict) and any(not -_SLACK <= v <= 1 + _SLACK for v in p.values() if isinstance(v, float)):
                problems.append(f"{role} round {index + 1}: a move probability is outside [0, 1]")
    return problems


def mark(result: RunRecord) -> RunRecord:
    """The stored run as read, with `trust_problems` and an untrusted `provenance` where it fails."""
    problems = out_of_range(result)
    if problems:
        result["trust_problems"] = problems
        result["provenance"] = UNTRUSTED
    return result


def trusted(result: Mapping[str, Any]) -> bool:
    return not result.get("trust_problems")
