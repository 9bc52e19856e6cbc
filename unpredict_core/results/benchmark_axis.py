"""The x of the benchmark-vs-unpredictability scatter, from one of these sources, each labelled:

- **IFEval on the leaderboard's scale** (`ifeval`, the figure's default): the paper's models at
  their Open LLM Leaderboard v2 IFEval score (the shipped leaderboard table), ours at IFEval
  measured here on the same 0–100 scale — one axis, each point saying which it is;
- **IFEval or IFBench, measured here**: a model's score in stored runs, matched by the side's
  model identity and prompt format (a model answers in the format its other runs used);
- **the leaderboard table** (`oll:COLUMN`): the average or a sub-score, by hub id;
- **a sourced table** (`reference/benchmarks.csv` or the user's): a published score with its source;
- **the Open LLM Leaderboard v2 from a local copy** (`leaderboard`), by hub id.
Only the tables and the leaderboard can place the paper's own models (they were not measured here).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from unpredict_core.experiments.instructions.scores import LABELS as IFBENCH_LABELS
from unpredict_core.experiments.instructions.scores import METRICS as IFBENCH_METRICS
from unpredict_core.records import RunRecord
from unpredict_core.results.leaderboard import SOURCE as LEADERBOARD_SOURCE
from unpredict_core.results.leaderboard import LeaderboardRow
from unpredict_core.results.leaderboard_table import COLUMNS as LEADERBOARD_COLUMNS
from unpredict_core.results.leaderboard_table import LeaderboardTable
from unpredict_core.trust import trusted

NO_SCORE = "n/a"


@dataclass(frozen=True)
class XValue:
    value: float
    source: str  # where this one number comes from (a run, a citation, a file's column)
    ci: tuple[float, float] | None = None  # its 95 % interval, where it was measured
    provenance: str = ""  # where it differs from its axis's ("measured here" on a mixed axis)


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


def measured_scores(results: Sequence[RunRecord], experiment: str, metric: str) -> dict[tuple[str, str], XValue]:
    """`metric` (0–100) of every side of stored `experiment` runs, by (model identity, format): the
    run with the most trials, then the newest."""
    best: dict[tuple[str, str], tuple[tuple[int, str], XValue]] = {}
    title = TITLES[experiment]
    for result in results:
        if result.get("experiment") != experiment or not trusted(result):
            continue
        for side in result["sides"].values():
            stored: Mapping[str, Any] = side  # a benchmark side: its accuracies
            score = (stored.get("accuracy") or {}).get(metric) or {}
            if score.get("value") is None or not score.get("ci"):
                continue
            scale = 1.0 if metric == "oll_ifeval" else 100.0
            low, high = (scale * v for v in score["ci"])
            counts = f"{score['successes']}/{score['trials']}, " if "trials" in score else ""
            source = (
                f"{title}, measured here: run {result['run_id']}, {counts}95 % {low:.0f}–{high:.0f}, "
                f"{result['params'].get('limit')} prompts, {result['params'].get('max_new_tokens')} new tokens"
            )
            trials = int(score.get("trials") or _trials(stored))
            rank = (trials, result.get("created_at") or "")
            where = (side["identity"], side["format"])
            if where not in best or rank > best[where][0]:
                best[where] = (rank, XValue(scale * score["value"], source, (low, high), "measured here"))
    return {where: value for where, (_, value) in best.items()}


def _trials(side: Mapping[str, Any]) -> int:
    return int(((side.get("accuracy") or {}).get("prompt_strict") or {}).get("trials") or 0)


TITLES = {"ifbench": "IFBench", "ifeval": "IFEval"}
BENCHMARK_EXPERIMENTS = tuple(TITLES)  # the runs an x can come from


def measured_axis(results: Sequence[RunRecord], experiment: str, metric: str) -> XAxis:
    found = measured_scores(results, experiment, metric)
    title = TITLES[experiment]

    def for_side(model: str, identity: str, fmt: str) -> tuple[XValue | None, str]:
        value = found.get((identity, fmt))
        return (value, "") if value else (None, f"no {title} run of this model in the {fmt} format")

    label = "on the leaderboard's scale, 0–100" if metric == "oll_ifeval" else f"{IFBENCH_LABELS[metric]}, %"
    return XAxis(
        f"{experiment}:{metric}",
        f"{title} {label} (measured here)",
        "measured here",
        for_side,
        None,
        paper_note=f"the paper's models were not measured on {title} here, so their x is unknown",
    )


def ifbench_axis(results: Sequence[RunRecord], metric: str) -> XAxis:
    return measured_axis(results, "ifbench", metric)


def oll_axis(table: LeaderboardTable, column: str) -> XAxis:
    """A column of the shipped leaderboard table, for any model it lists (ours too, by hub id)."""

    def value(hub_id: str) -> XValue | None:
        found = table.score(hub_id, column)
        return XValue(found[0], f"Open LLM Leaderboard v2 {column}: {found[1]}") if found else None

    def for_side(model: str, identity: str, fmt: str) -> tuple[XValue | None, str]:
        return value(model_key(model)), "not in the leaderboard table"

    name = "average" if column == "average" else column
    return XAxis(f"oll:{column}", f"Open LLM Leaderboard v2 {name}, 0–100 (reported)", "reported by the leaderboard",
                 for_side, value)  # fmt: skip


def figure_axis(measured: XAxis, table: LeaderboardTable) -> XAxis:
    """The paper's Figure 1 x: the leaderboard's IFEval for the paper's models, IFEval measured here
    on the same scale for ours (`measured`, the `ifeval:oll_ifeval` axis). One axis; each value names
    its source and provenance."""
    reported = oll_axis(table, "IFEval")

    def for_hub_id(hub_id: str) -> XValue | None:
        found = reported.for_hub_id(hub_id) if reported.for_hub_id else None
        return XValue(found.value, found.source, None, "reported by the leaderboard") if found else None

    return XAxis(
        "ifeval",
        "IFEval, leaderboard scale 0–100 (paper's models: reported by the leaderboard · ours: measured here)",
        "measured here",
        measured.for_side,
        for_hub_id,
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
    results: Sequence[RunRecord],
    benchmarks: dict[str, Benchmark],
    leaderboard: dict[str, LeaderboardRow],
    table: LeaderboardTable,
) -> dict[str, XAxis]:
    """Every x this install can offer, the paper's own (IFEval on the leaderboard's scale) first."""
    ifeval = measured_axis(results, "ifeval", "oll_ifeval")  # read once: ours on both IFEval axes
    axes = {"ifeval": figure_axis(ifeval, table), "ifeval:oll_ifeval": ifeval}
    axes |= {f"ifbench:{m}": ifbench_axis(results, m) for m in IFBENCH_METRICS}
    axes |= {f"oll:{c}": oll_axis(table, c) for c in LEADERBOARD_COLUMNS.values()}
    axes["table"] = table_axis(benchmarks)
    columns = sorted({c for row in leaderboard.values() for c in row.scores})
    return axes | {f"leaderboard:{c}": leaderboard_axis(leaderboard, c) for c in columns}


DEFAULT_X = "ifeval"


def default_x(axes: dict[str, XAxis]) -> str:
    """The paper's x: IFEval on the leaderboard's scale."""
    return DEFAULT_X if DEFAULT_X in axes else next(iter(axes))
