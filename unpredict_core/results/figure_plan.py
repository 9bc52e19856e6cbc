"""What a fresh install runs to draw the benchmark-vs-unpredictability figure for one pair, and how
long that should take."""

from __future__ import annotations

from typing import Any

from unpredict_core.experiments import get_experiment, ifeval
from unpredict_core.results.scatter import y_scores

# Until this store holds durations of its own, an experiment's declared `typical_seconds` (rough
# figures, not measurements; bench/README has measured ones).


def measurement_plan(y_key: str, device: str = "auto") -> list[tuple[str, Any]]:
    """The runs that place a pair on the figure for `y_key`: IFEval (x, the paper's axis) and the y
    experiment, each with its default settings (IFEval's subset sized for the device)."""
    experiment = y_scores()[y_key].experiment
    return [
        (ifeval.NAME, ifeval.Params(**ifeval.device_defaults(device))),
        (experiment, get_experiment(experiment).params()),
    ]


def estimate_seconds(plan: list[tuple[str, Any]], stored: list[dict[str, Any]]) -> float:
    """Expected time of `plan`: the median stored duration of runs with the same experiment and
    settings where this store has one, else the experiment's typical time."""
    total = 0.0
    for experiment, params in plan:
        wanted = params.as_dict()
        same = sorted(
            r["duration_s"]
            for r in stored
            if r.get("experiment") == experiment
            and r.get("duration_s")
            and "together" not in r  # a run computed with others records only its share of their time
            and {k: r["params"].get(k) for k in wanted} == wanted
        )
        total += same[len(same) // 2] if same else get_experiment(experiment).typical_seconds
    return total
