"""The paper's reported number beside the one measured here, and which way each of them goes.

A page can show "the paper: base 13.9, aligned 115.1 · here: base 40, aligned 12" only with the
direction spelled out, clause by clause: the paper's finding is split into its claims
(`claim_clauses`), and each is judged from this run's own numbers and intervals — as in the paper,
unlike it, or too few to tell — so no sentence says more than the numbers beside it. The paper's
numbers come from `reference/paper_reported.csv` (secondary summaries, with their note); where that
table has no number for an experiment, the claim says so and carries only the paper's finding in
words. Nothing here is averaged with or scaled to the measurement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from unpredict_core.experiments.random_integers.figure_score import chi2_value
from unpredict_core.results.claim_clauses import CLAUSES, votes
from unpredict_core.results.scatter import load_paper_points
from unpredict_core.results.verdicts import AS_PAPER, TOO_FEW, UNLIKE_PAPER, UNMEASURED, Clause

SIDES = ("base", "aligned")


@dataclass(frozen=True)
class PaperClaim:
    """What the paper says about one experiment (mode), and how to read our number against it."""

    metric: str  # the label of the compared number
    score: str  # key of that number in a side (top level or metrics)
    better: str  # "lower" or "higher"; with `target`: closer to target
    finding: str  # the paper's finding in words, true even where no number is tabled
    paper_row: tuple[str, str, str] | None  # (task, metric, size) in paper_reported.csv; None: no number
    target: float | None = None
    scale_note: str = ""
    paper_favours: str = "base"  # the side the paper found better, where it tables no number
    value: Callable[[Mapping[str, Any], Mapping[str, Any]], float | None] | None = None  # (side, params) → number


def _figure_chi2(side: Mapping[str, Any], params: Mapping[str, Any]) -> float | None:
    found = chi2_value(side, params) if side else None
    return None if found is None else found.value


CLAIMS: dict[str, PaperClaim] = {
    "random-integers": PaperClaim(
        "χ² of 1,500 draws against uniform", "chi2", "lower",
        "base models come closer to uniform; aligned models over-produce 7",
        ("random_integers", "chi2_vs_uniform", "8B"),
        scale_note="The paper's χ² is from 1,500 sampled answers (single draws or sequences is unresolved); ours is "
        "the χ² 1,500 draws give on average, exact or estimated from the run's draws.",
        value=_figure_chi2,
    ),
    "random-integers/sequences": PaperClaim(
        "most common number of repetitions in ten draws", "repetition_mode", "closer",
        "base models repeat about as often as independent draws (mode 3); aligned models avoid repeats (mode 0)",
        ("sequences", "repetition_mode", "unknown"), target=3.0,
    ),
    "rps": PaperClaim(
        "net score against the adversary", "net_score", "higher",
        "aligned models become predictable and lose to the adversary more than base models",
        ("rps", "net_score", "70B"),
        scale_note="Uniform play scores 0 on both scales.",
    ),
    "hide-and-seek": PaperClaim(
        "score against the seeker", "net_score", "higher", "base models hide less predictably than aligned models",
        ("hide_and_seek", "score", "70B"),
        scale_note="The paper's score has an unpublished definition: compare directions, not values.",
    ),
    "ifbench": PaperClaim(
        "IFBench instruction-level accuracy (strict)", "instruction_strict", "higher",
        "aligned models score higher on benchmarks (the paper's Figure 1), while being worse at unpredictability",
        None, paper_favours="aligned",
    ),
    "ifeval": PaperClaim(
        "IFEval on the leaderboard's scale", "oll_ifeval", "higher",
        "aligned models score higher on benchmarks (the paper's Figure 1), while being worse at unpredictability",
        None, paper_favours="aligned",
        scale_note="The paper's models' IFEval is the leaderboard's (Benchmark vs Unpredictability page).",
    ),
    "poetry": PaperClaim(
        "base poem's win rate on originality", "originality", "higher",
        "base poems won on originality; aligned poems won on pleasantness and overall preference",
        None,
        scale_note="The paper reports 720 pairwise judgements of Llama-3.1 70B poems, not a win rate.",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Beside:
    """One experiment's paper claim beside this run's numbers."""

    claim: PaperClaim
    paper: dict[str, float] | None  # side → the paper's number (Base and Llama-Instruct rows)
    paper_source: str  # "Llama-3.1-8B, secondary summary …" or why there is no number
    measured: dict[str, float | None]
    coverage: dict[str, float | None]
    measured_better: str | None  # "base", "aligned", "neither" (equal) or None (not measured)
    opposite: bool  # some clause goes against the paper beyond doubt
    sentence: str  # every clause's sentence
    clauses: tuple[Clause, ...] = ()


def claim_key(result: dict) -> str | None:
    experiment = result.get("experiment", "")
    if experiment == "random-integers" and result.get("params", {}).get("mode") == "sequences":
        return "random-integers/sequences"
    return experiment if experiment in CLAIMS else None


def paper_numbers(claim: PaperClaim, rows: list[dict[str, str]] | None = None) -> tuple[dict[str, float] | None, str]:
    """The paper's base and aligned number for `claim`, and where they come from."""
    if claim.paper_row is None:
        return None, "the paper's reference table (reference/paper_reported.csv) gives no number for this"
    task, metric, size = claim.paper_row
    rows = load_paper_points() if rows is None else rows
    found = {r["variant"]: r for r in rows if (r["task"], r["metric"], r["size"]) == (task, metric, size)}
    base = found.get("Base")
    aligned = found.get("Llama-Instruct") or found.get("aligned (all)")
    if base is None or aligned is None:
        return None, "the paper's reference table (reference/paper_reported.csv) lacks this row"
    model = "Llama-3.1" if size == "unknown" else f"Llama-3.1-{size}"
    where = f"{model} base vs {aligned['variant']}; {aligned['source_note']}"
    return {"base": float(base["value"]), "aligned": float(aligned["value"])}, where


def better_side(claim: PaperClaim, values: Mapping[str, float | None]) -> str | None:
    """Which side the numbers favour under the claim's direction ("neither" when equal)."""
    given = [values.get(s) for s in SIDES]
    if given[0] is None or given[1] is None:
        return None
    base, aligned = float(given[0]), float(given[1])
    if claim.better == "closer":
        if claim.target is None:
            raise ValueError(f"the claim on {claim.metric} says 'closer' without a target")
        base, aligned = -abs(base - claim.target), -abs(aligned - claim.target)
    elif claim.better == "lower":
        base, aligned = -base, -aligned
    if abs(base - aligned) <= 1e-9 * max(1.0, abs(base), abs(aligned)):
        return "neither"
    return "base" if base > aligned else "aligned"


def _side_value(side: dict, score: str) -> float | None:
    value = side.get(score, (side.get("metrics") or {}).get(score))
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def headline_clause(claim: PaperClaim, measured: Mapping[str, float | None], theirs: str | None) -> Clause:
    """One clause from the headline numbers alone, with no interval (used where a run's own
    numbers are not at hand): the side the paper favours does better, or not."""
    ours = better_side(claim, measured)
    if ours is None:
        return Clause(claim.finding, UNMEASURED, f"{claim.metric} is not on both sides of this run")
    evidence = f"{claim.metric}: {_pair_text(measured)}"
    verdict = TOO_FEW if ours == "neither" else AS_PAPER if ours == theirs else UNLIKE_PAPER
    return Clause(claim.finding, verdict, evidence)


def compare(
    claim: PaperClaim,
    measured: dict[str, float | None],
    coverage: dict | None = None,
    rows=None,
    clauses: list[Clause] | None = None,
) -> Beside:
    """The paper beside `measured`, each clause of its finding judged (from `clauses` when the
    run's own numbers gave them, else from the headline numbers)."""
    paper, source = paper_numbers(claim, rows)
    ours = better_side(claim, measured)
    theirs = better_side(claim, paper) if paper else claim.paper_favours  # its numbers, else its finding
    judged = tuple(clauses or [headline_clause(claim, measured, theirs)])
    opposite = any(c.verdict == UNLIKE_PAPER for c in judged)
    sentence = " ".join(c.sentence for c in judged)
    return Beside(
        claim, paper, source, measured, coverage or {s: None for s in SIDES}, ours, opposite, sentence, judged
    )


def _pair_text(values: Mapping[str, float | None]) -> str:
    return ", ".join(f"{s} {values[s]:.3g}" for s in SIDES)


def beside_result(result: dict, rows=None) -> Beside | None:
    """The paper beside one stored run (None for an experiment the paper did not run, or poetry,
    whose number comes from votes: see `beside_votes`)."""
    key = claim_key(result)
    if key is None or key == "poetry":
        return None
    claim, sides, params = CLAIMS[key], result.get("sides", {}), result.get("params", {})
    if claim.value is not None:
        measured = {s: claim.value(sides.get(s) or {}, params) for s in SIDES}
    else:
        measured = {s: _side_value(sides.get(s, {}), claim.score) for s in SIDES}
    coverage = {s: _side_value(sides.get(s, {}), "coverage") or _side_value(sides.get(s, {}), "min_coverage")
                for s in SIDES}  # fmt: skip
    return compare(claim, measured, coverage, rows, CLAUSES[key](result))


def beside_votes(rates: dict[str, dict], rows=None) -> Beside:
    """The paper beside blind votes: how often the base poem won on originality, against 50 %."""
    originality = rates.get("originality", {})
    rate = originality.get("rate")
    measured = {"base": rate, "aligned": None if rate is None else 1.0 - rate}
    clauses = votes(rates) if "ci_low" in originality else None  # full win rates, not a bare rate
    return compare(CLAIMS["poetry"], measured, None, rows, clauses)
