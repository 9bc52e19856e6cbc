"""Words and numbers a person reads on the Results page: a run's title, its parameters, what a
score rests on (its n), and numbers formatted for reading. Pure functions of stored results."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

# the score charted first: the one that says most about each experiment, in this order
MEANINGFUL = ("p7", "kl", "net_score", "found_rate", "prompt_strict", "win_rate", "mean_repetitions", "distinct_1")
# scores whose value grows with the number of answers behind it: never on one axis across n
DEPENDS_ON_N = frozenset({"chi2", "p_value", "chi2_values"})


def readable_params(params: Mapping[str, Any], limit: int = 4) -> str:
    """{"mode": "exact", "seed": 0, "topics": [...]} → "mode exact · seed 0 · topics sea, work +6"."""
    parts = []
    for key, value in params.items():
        if isinstance(value, list | tuple):
            shown = ", ".join(str(v) for v in value[:limit])
            value = shown + (f" +{len(value) - limit}" if len(value) > limit else "")
        elif isinstance(value, float):
            value = format_number(value)
        parts.append(f"{key.replace('_', ' ')} {value}")
    return " · ".join(parts)


def run_title(result: Mapping[str, Any]) -> str:
    """What a run was, without its hash: experiment, parameters, when."""
    when = str(result.get("created_at") or "")[5:16].replace("T", " ")
    return f"{result['experiment']} · {readable_params(result.get('params') or {})} · {when}"


def short_model(label: str | None) -> str:
    """ "google/gemma-3-270m (Q4_K_M GGUF)" → "gemma-3-270m"."""
    text = str(label or "?").split(" (")[0]
    return text.rsplit("/", 1)[-1]


def basis(result: Mapping[str, Any], side: Mapping[str, Any]) -> str:
    """What the side's numbers rest on: exact, or sampled with its n, or its rounds."""
    params = result.get("params") or {}
    if result["experiment"] == "random-integers":
        mode = params.get("mode", "exact")
        if mode == "exact":
            return "exact (χ² scaled to n = 1,500)"
        n = (side.get("metrics") or {}).get("chi2_n")
        if n is None:
            n = len(side.get("sequences") or []) or sum((side.get("counts") or {}).values())
        return f"{mode}, n = {int(n):,}"
    if "rounds" in params and isinstance(params["rounds"], int):
        return f"{params['rounds']:,} rounds"
    return ""


def format_number(value: Any) -> str:
    """2790.0000000000005 → "2,790"; 0.123456 → "0.1235"; None → "—"; text stays text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.1f}"
    if abs(value) >= 0.001:
        return f"{value:.4g}"
    return f"{value:.2e}"


def default_score(scores: list[str]) -> str:
    """The score the chart opens on: a meaningful one if any run has it, never a count of attempts."""
    for name in MEANINGFUL:
        if name in scores:
            return name
    return scores[0]
