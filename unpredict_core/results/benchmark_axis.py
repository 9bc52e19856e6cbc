"""The x of the benchmark-vs-unpredictability scatter, from one of three sources, each labelled:

- **IFBench, measured here**: a model's accuracy in stored `ifbench` runs, matched by the side's
  model identity and prompt format (a model answers IFBench in the format its other runs used);
- **a sourced table** (`reference/benchmarks.csv` or the user's): a published score with its source;
- **the Open LLM Leaderboard v2 from a local copy** (`leaderboard`), by hub id.
Only the table and the leaderboard can place the paper's own models (they were not measured here).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from unpredict_core.experiments.ifbench.scores import LABELS as IFBENCH_LABELS
from unpredict_core.experiments.ifbench.scores import METRICS as IFBENCH_METRICS
from unpredict_core.records import RunRecord
from unpredict_core.results.leaderboard import SOURCE as LEADERBOARD_SOURCE
from unpredict_core.results.leaderboard import LeaderboardRow

NO_SCORE = "n/a"


@dataclass(frozen=True)
class XValue:
    value: float
    source: str  # where this one number comes from (a run, a citation, a file's column)


@dataclass(frozen=True)
class Benchmark:
    model: str
    benchmark: str
    score: float | None  # None: no published score (listed, not plotted)
    source: str
    note: str = ""


# (model label, side identity, side format) → the value, or None and why there is none
SideLookup = Callable[[str, str, str], tuple[XValue | None, str]]


@dataclass(frozen=True)
class XAxis:
    key: str
    title: str  # the axis title, with its provenance
    provenance: str  # "measured here", "sourced table", "local copy of the leaderboard"
    for_side: SideLookup
    for_hub_id: Callable[[str], XValue | None] | None  # None: the paper's models cannot be placed
    paper_note: str = ""  # why the paper's layer is not placed, when it is not


def model_key(label: str) -> str:
    """The hub id at the start of a model label ("google/gemma-3-270m (base, Q4_K_M GGUF)")."""
    return label.split(" ")[0]


def table_axis(benchmarks: dict[str, Benchmark], key: str = "table") -> XAxis:
    names = sorted({b.benchmark for b in benchmarks.values()})
    title = (names[0] if len(names) == 1 else "benchmark score") + " (sourced table)"

    def value(hub_id: str) -> XValue | None:
        bench = benchmarks.get(hub_id)
        return XValue(bench.score, f"{bench.benchmark}: {bench.source}") if bench and bench.score is not None else None

    def for_side(model: str, identity: str, fmt: str) -> tuple[XValue | None, str]:
        bench = benchmarks.get(model_key(model))
        why = "not in the benchmark table" if bench is None else "no benchmark score (n/a in the table)"
        return value(model_key(model)), why

    return XAxis(key, title, "sourced table", for_side, value)


def ifbench_axis(results: Sequence[RunRecord], metric: str) -> XAxis:
    """IFBench `metric` per (model identity, format), from the stored run with the most trials."""
    best: dict[tuple[str, str], tuple[int, str, XValue]] = {}
    for result in results:
        if result.get("experiment") != "ifbench":
            continue
        for side in result["sides"].values():
            stored: Mapping[str, Any] = side  # an IFBench side: its accuracies
            score = (stored.get("accuracy") or {}).get(metric) or {}
            if score.get("value") is None:
                continue
            low, high = score["ci"]
            source = (
                f"IFBench, measured here: run {result['run_id']}, {score['successes']}/{score['trials']} "
                f"({100 * low:.0f}–{100 * high:.0f} % at 95 %), {result['params'].get('max_new_tokens')} new tokens"
            )
            rank = (score["trials"], result.get("created_at") or "")
            entry = (score["trials"], rank[1], XValue(100 * score["value"], source))
            where = (side["identity"], side["format"])
            if where not in best or rank > best[where][:2]:
                best[where] = entry

    def for_side(model: str, identity: str, fmt: str) -> tuple[XValue | None, str]:
        found = best.get((identity, fmt))
        return (found[2], "") if found else (None, f"no IFBench run of this model in the {fmt} format")

    return XAxis(
        f"ifbench:{metric}",
        f"IFBench {IFBENCH_LABELS[metric]}, % (measured here)",
        "measured here",
        for_side,
        None,
        paper_note="the paper's models were not measured on IFBench here, so their x is unknown",
    )


def leaderboard_axis(rows: dict[str, LeaderboardRow], column: str) -> XAxis:
    def value(hub_id: str) -> XValue | None:
        row = rows.get(hub_id)
        if row is None or column not in row.scores:
            return None
        return XValue(row.scores[column], f"{LEADERBOARD_SOURCE}, column {column!r}, {row.precision or 'precision ?'}")

    def for_side(model: str, identity: str, fmt: str) -> tuple[XValue | None, str]:
        return value(model_key(model)), "not in the local leaderboard copy"

    return XAxis(
        f"leaderboard:{column}", f"Open LLM Leaderboard v2 {column} (local copy)", "local leaderboard", for_side, value
    )


def x_axes(
    results: Sequence[RunRecord], benchmarks: dict[str, Benchmark], leaderboard: dict[str, LeaderboardRow]
) -> dict[str, XAxis]:
    """Every x this install can offer, the measured benchmark first when a run of it is stored."""
    measured = {f"ifbench:{m}": ifbench_axis(results, m) for m in IFBENCH_METRICS}
    sourced = {"table": table_axis(benchmarks)}
    columns = sorted({c for row in leaderboard.values() for c in row.scores})
    sourced |= {f"leaderboard:{c}": leaderboard_axis(leaderboard, c) for c in columns}
    has_ifbench = any(r.get("experiment") == "ifbench" for r in results)
    return measured | sourced if has_ifbench else sourced | measured


DEFAULT_IFBENCH_X = "ifbench:instruction_strict"


def default_x(axes: dict[str, XAxis]) -> str:
    """IFBench instruction-level strict when measured here, else the first offered."""
    first = next(iter(axes))
    return DEFAULT_IFBENCH_X if first.startswith("ifbench:") else first
