"""The random-integer χ² as a figure's y: one run's value on the paper's n = 1,500 scale, exact
where the run is exact, debiased where it sampled, each with how it was made."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unpredict_core.experiments import ScoreValue
from unpredict_core.experiments.random_integers.metrics import (
    PAPER_N,
    chi2_at_n,
    chi2_at_n_debiased,
    chi2_at_n_posterior,
)

ANSWER_ORDER = tuple(str(i) for i in range(11))


def chi2_value(side: Mapping[str, Any], params: Mapping[str, Any]) -> ScoreValue | None:
    """Exact: n·Σ(p−u)²/u of the exact distribution (no interval: nothing was sampled). Sampled:
    the same quantity estimated without the upward bias of scaling a small sample's χ², with a
    Dirichlet credible interval."""
    answers = side.get("answers") or {}
    if params.get("mode") == "exact" and answers:
        probs = [float(answers.get(a, 0.0)) for a in ANSWER_ORDER]
        return ScoreValue(float(chi2_at_n(probs, PAPER_N)), None, "exact")
    counts = side.get("counts") or {}
    observed = [float(counts.get(a, 0)) for a in ANSWER_ORDER]
    if params.get("mode") != "sampled" or sum(observed) < 2:
        return None
    m = int(sum(observed))
    return ScoreValue(
        chi2_at_n_debiased(observed, PAPER_N),
        chi2_at_n_posterior(observed, PAPER_N, seed=int(params.get("seed") or 0)),
        "sampled",
        f"debiased from {m} draws (the raw χ² scaled to n = 1,500 would carry about {PAPER_N * 10 / m:,.0f} of noise)",
    )
