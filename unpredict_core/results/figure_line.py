"""The one line the talk's Figure 1 slide says about the pair on it, built from the pair's own
IFEval and random-integer runs clause by clause (`claim_clauses`), so it claims no more than they
show."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from unpredict_core.results.claim_clauses import CLAUSES
from unpredict_core.results.verdicts import AS_PAPER, TOO_FEW, UNLIKE_PAPER, Clause

SHORT = {AS_PAPER: "as in the paper", UNLIKE_PAPER: "unlike the paper", TOO_FEW: "too few to tell"}


def _verdict(clause: Clause) -> str:
    said = SHORT.get(clause.verdict, "not measured")
    return f"{said} ({clause.n})" if clause.verdict == TOO_FEW and clause.n else said


def figure_line(results: Sequence[Mapping[str, Any] | None]) -> str:
    """ "This pair: aligned scores higher on IFEval — too few to tell (32 prompts a side); base is
    closer to uniform — as in the paper." from the slide's runs (an IFEval run and an exact
    random-integer run, in either order; a missing one is said)."""
    by_experiment = {r["experiment"]: r for r in results if r}
    parts = []
    ifeval = by_experiment.get("ifeval")
    if ifeval:
        parts.append(f"aligned scores higher on IFEval — {_verdict(CLAUSES['ifeval'](ifeval)[0])}")
    else:
        parts.append("IFEval not measured")
    integers = by_experiment.get("random-integers")
    if integers:
        parts.append(f"base is closer to uniform — {_verdict(CLAUSES['random-integers'](integers)[0])}")
    else:
        parts.append("random integers not measured")
    return "This pair: " + "; ".join(parts) + "."
