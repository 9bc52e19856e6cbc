"""The random-integer χ² as a figure's y, on the paper's scale: the χ² that 1,500 draws give on
average (the paper's statistic is one such sample). Exact where the run is exact; estimated without
the bias of a small sample scaled up where it sampled, with an approximate interval."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unpredict_core.experiments import ScoreValue
from unpredict_core.experiments.random_integers.metrics import PAPER_N, expected_chi2, expected_chi2_from_counts

ANSWER_ORDER = tuple(str(i) for i in range(11))


def chi2_value(side: Mapping[str, Any], params: Mapping[str, Any]) -> ScoreValue | None:
    """Exact: `expected_chi2` of the exact distribution (no interval: nothing was sampled). Sampled:
    the same quantity estimated from the counts (`expected_chi2_from_counts`)."""
    answers = side.get("answers") or {}
    if params.get("mode") == "exact" and answers:
        probs = [float(answers.get(a, 0.0)) for a in ANSWER_ORDER]
        return ScoreValue(expected_chi2(probs, PAPER_N), None, "exact")
    counts = side.get("counts") or {}
    observed = [float(counts.get(a, 0)) for a in ANSWER_ORDER]
    if params.get("mode") != "sampled" or sum(observed) < 2:
        return None
    m = int(sum(observed))
    value, ci = expected_chi2_from_counts(observed, PAPER_N, seed=int(params.get("seed") or 0))
    note = f"estimated from {m} draws without the upward bias of scaling their χ² to 1,500"
    return ScoreValue(value, ci, "sampled", note)
