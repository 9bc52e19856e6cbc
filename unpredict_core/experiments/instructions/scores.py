"""The four accuracies of IFBench and IFEval, and the leaderboard's IFEval score, from stored
verdicts: pure functions of the per-prompt rows.

Prompt-level accuracy: the share of prompts whose every instruction was followed; instruction-level:
the share of instructions followed; each strict and loose, as IFBench and IFEval define them. Only
checked instructions count: a prompt with an instruction that errored is left out of the
prompt-level denominators (whether it followed everything is unknown), and the errors are counted
apart. Each accuracy carries an exact (Clopper-Pearson) 95 % interval, which never collapses to a
point at small n.

The Open LLM Leaderboard v2 puts IFEval on one 0–100 scale: 100 × the mean of prompt-level strict
and instruction-level strict (`leaderboard_score`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scipy.stats import binomtest

METRICS = ("prompt_strict", "prompt_loose", "instruction_strict", "instruction_loose")
LABELS = {
    "prompt_strict": "prompt-level strict",
    "prompt_loose": "prompt-level loose",
    "instruction_strict": "instruction-level strict",
    "instruction_loose": "instruction-level loose",
}


def exact_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Clopper-Pearson interval for a binomial proportion (None for no trials)."""
    if trials == 0:
        return None
    ci = binomtest(successes, trials).proportion_ci(confidence_level=confidence, method="exact")
    return float(ci.low), float(ci.high)


def accuracies(prompts: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """{metric: {value, successes, trials, ci}} over `prompts` (each with its `instructions`)."""
    counts = {metric: [0, 0] for metric in METRICS}
    for row in prompts:
        checked = [v for v in row["instructions"] if v["status"] == "checked"]
        for mode in ("strict", "loose"):
            counts[f"instruction_{mode}"][0] += sum(bool(v[mode]) for v in checked)
            counts[f"instruction_{mode}"][1] += len(checked)
            if checked and len(checked) == len(row["instructions"]):
                counts[f"prompt_{mode}"][0] += all(v[mode] for v in checked)
                counts[f"prompt_{mode}"][1] += 1
    return {
        metric: {
            "value": (k / n) if n else None,
            "successes": k,
            "trials": n,
            "ci": exact_interval(k, n),
        }
        for metric, (k, n) in counts.items()
    }


def failed_instructions(row: dict[str, Any], mode: str = "strict") -> list[str]:
    """The instruction ids a prompt's response did not follow (checked ones only)."""
    return [v["id"] for v in row["instructions"] if v["status"] == "checked" and not v[mode]]


def verdict_counts(prompts: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """How many instructions were checked, excluded and errored."""
    out = {"checked": 0, "excluded": 0, "error": 0}
    for row in prompts:
        for verdict in row["instructions"]:
            out[verdict["status"]] += 1
    return out


LEADERBOARD_PARTS = ("prompt_strict", "instruction_strict")


def leaderboard_score(scores: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The leaderboard's IFEval scale: 100 × mean(prompt-level strict, instruction-level strict),
    with a 95 % interval that needs no assumption about how the two depend on each other: each
    part's exact interval at 97.5 %, so both hold together at least 95 % of the time (Bonferroni),
    and the mean of their bounds. None where a part has no trials."""
    parts = [scores[m] for m in LEADERBOARD_PARTS]
    if any(not p.get("trials") for p in parts):
        return {"value": None, "ci": None, "parts": list(LEADERBOARD_PARTS)}
    bounds = [exact_interval(p["successes"], p["trials"], 0.975) for p in parts]
    low = sum(b[0] for b in bounds if b) / 2
    high = sum(b[1] for b in bounds if b) / 2
    value = 100 * sum(p["successes"] / p["trials"] for p in parts) / 2
    return {"value": value, "ci": (100 * low, 100 * high), "parts": list(LEADERBOARD_PARTS)}
