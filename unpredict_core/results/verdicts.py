"""Which way this run goes against the paper, clause by clause, computed from the numbers shown.

The paper's findings are several claims in one sentence ("base models come closer to uniform;
aligned models over-produce 7"); a pair can agree with one and not the other. Each clause here is
judged on its own from the run's numbers and their 95 % intervals:
- *as in the paper* / *unlike the paper* when the intervals leave no doubt (the two sides'
  intervals do not overlap, or an interval lies wholly on one side of a threshold); exact values
  (no sampling, so no interval) are compared as they are;
- *too few to tell (n = …)* when the intervals overlap: no difference can be claimed either way.
Only a value measured exactly (from the model's probabilities, `method` "exact") comes without an
interval; anything sampled or played always has one (`intervals.mean_interval` never collapses to
a point), so a handful of rounds is never judged as if it were exact.
Non-overlap of two 95 % intervals is a conservative test; a clause it calls is called firmly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

AS_PAPER, UNLIKE_PAPER, TOO_FEW, UNMEASURED = "as in the paper", "unlike the paper", "too few to tell", "not measured"
Estimate = tuple[float, tuple[float, float] | None]  # a value and its 95 % interval (None: exact)
IID_MEAN_REPETITIONS = 10 - 11 * (1 - (10 / 11) ** 10)  # ten uniform draws from 0..10: 3.24 repeats


@dataclass(frozen=True)
class Clause:
    claim: str  # the paper's clause, in words
    verdict: str  # AS_PAPER, UNLIKE_PAPER, TOO_FEW or UNMEASURED
    evidence: str  # the numbers it was judged on
    n: str = ""  # how much data: "30 draws a side"

    @property
    def sentence(self) -> str:
        head = {AS_PAPER: "As in the paper", UNLIKE_PAPER: "Unlike the paper",
                TOO_FEW: f"Too few to tell ({self.n})" if self.n and self.n != "exact" else "No difference to tell",
                UNMEASURED: "Not measured"}[self.verdict]  # fmt: skip
        return f"{head}: {self.claim} — {self.evidence}."


def _bounds(estimate: Estimate) -> tuple[float, float]:
    value, ci = estimate
    return ci if ci is not None else (value, value)


def higher(first: Estimate, second: Estimate) -> bool | None:
    """Whether `first` is above `second` beyond doubt: True, False (below), None (overlapping)."""
    (low1, high1), (low2, high2) = _bounds(first), _bounds(second)
    if first[1] is None and second[1] is None:
        return None if first[0] == second[0] else first[0] > second[0]
    if low1 > high2:
        return True
    return False if high1 < low2 else None


def above(estimate: Estimate, threshold: float) -> bool | None:
    low, high = _bounds(estimate)
    if low > threshold:
        return True
    return False if high < threshold or (estimate[1] is None and high == threshold) else None


def judge(claim: str, holds: bool | None, evidence: str, n: str = "") -> Clause:
    verdict = TOO_FEW if holds is None else AS_PAPER if holds else UNLIKE_PAPER
    return Clause(claim, verdict, evidence, n)


def fmt(estimate: Estimate, number: Callable[[float], str]) -> str:
    value, ci = estimate
    return number(value) + (f" [{number(ci[0])}–{number(ci[1])}]" if ci is not None else " (exact)")


def both(
    sides: Mapping[str, Any], get: Callable[[Mapping[str, Any]], Estimate | None]
) -> tuple[Estimate, Estimate] | None:
    base, aligned = (get(sides.get(role) or {}) for role in ("base", "aligned"))
    return (base, aligned) if base is not None and aligned is not None else None


def compare_sides(claim: str, pair: tuple[Estimate, Estimate] | None, base_better: str, label: str,
                  number: Callable[[float], str], n: str = "") -> Clause:  # fmt: skip
    """A clause saying the base side does better, where better is "higher" or "lower"."""
    if pair is None:
        return Clause(claim, UNMEASURED, f"{label} is not on both sides of this run")
    base, aligned = pair
    holds = higher(base, aligned) if base_better == "higher" else higher(aligned, base)
    evidence = f"{label} base {fmt(base, number)}, aligned {fmt(aligned, number)}"
    return judge(claim, holds, evidence, n)
