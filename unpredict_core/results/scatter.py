"""Benchmark score against unpredictability (the paper's Figure 1), assembled by pure functions.

x comes from one `benchmark_axis.XAxis`: IFBench measured here, a sourced table, or a local copy of
the Open LLM Leaderboard; y is an unpredictability score measured here, averaged over the stored
runs that report it. Every point carries the source of its x and of its y. The paper's reported
points are a separate layer: their y is the paper's number, their x comes from a source that knows
the paper's models, so a model without a score is listed, never placed at a guessed x.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unpredict_core.errors import UnpredictError
from unpredict_core.paths import PROJECT_ROOT
from unpredict_core.records import RunRecord
from unpredict_core.results.benchmark_axis import NO_SCORE, Benchmark, XAxis
from unpredict_core.results.table import side_scores

REFERENCE_DIR = PROJECT_ROOT / "reference"
BENCHMARKS_CSV = REFERENCE_DIR / "benchmarks.csv"
PAPER_CSV = REFERENCE_DIR / "paper_reported.csv"


@dataclass(frozen=True)
class YScore:
    """One experiment's declared score (`experiments.Score`) as the figure's y."""

    label: str
    experiment: str
    score: str  # key in results_table.side_scores
    paper: tuple[str, str] | None  # (task, metric) in paper_reported.csv
    note: str = ""
    applies: Callable[[dict[str, Any]], bool] = lambda params: True  # runs (by their params) that report it


def y_scores() -> dict[str, YScore]:
    """Every unpredictability score the registered experiments declare, by its key."""
    from unpredict_core.experiments import experiments

    return {
        s.key: YScore(s.label, e.name, s.field, s.paper, s.note, s.applies)
        for e in experiments().values()
        for s in e.scores
    }


# the paper's model names (size, variant) → hub ids, to find their benchmark scores
PAPER_MODELS = {
    (size, variant): model
    for size in ("8B", "70B")
    for variant, model in {
        "Base": f"meta-llama/Llama-3.1-{size}",
        "Llama-Instruct": f"meta-llama/Llama-3.1-{size}-Instruct",
        "Tulu-SFT": f"allenai/Llama-3.1-Tulu-3-{size}-SFT",
        "Tulu-DPO": f"allenai/Llama-3.1-Tulu-3-{size}-DPO",
        "Tulu-Full": f"allenai/Llama-3.1-Tulu-3-{size}",
    }.items()
}


@dataclass
class ScatterData:
    y: YScore
    x: XAxis
    points: list[dict[str, Any]] = field(default_factory=list)  # measured here, with an x
    unplaced: list[dict[str, Any]] = field(default_factory=list)  # measured, but no x for the model
    lines: list[tuple[dict, dict]] = field(default_factory=list)  # base → aligned of one pair
    paths: list[list[dict]] = field(default_factory=list)  # base → mixed sides by α → aligned (the dial)
    reference: list[dict[str, Any]] = field(default_factory=list)  # reported by the paper, with an x
    reference_unplaced: list[dict[str, Any]] = field(default_factory=list)


def parse_benchmarks(text: str, name: str = "benchmark table") -> dict[str, Benchmark]:
    """Read the benchmark CSV; a missing column, empty or non-numeric score names its line."""
    rows = list(csv.DictReader(text.splitlines()))
    columns = set(rows[0]) if rows else set()
    missing = {"model", "benchmark", "score", "source"} - columns
    if not rows or missing:
        raise UnpredictError(
            f"{name}: needs a header with model, benchmark, score, source (missing: {sorted(missing)})."
        )
    table = {}
    for line, row in enumerate(rows, 2):
        model = (row.get("model") or "").strip()
        raw = (row.get("score") or "").strip()
        where = f"{name}, line {line} ({model or 'no model'})"
        if not model:
            raise UnpredictError(f"{where}: the model is empty.")
        if not raw:
            raise UnpredictError(f"{where}: the score is missing. Write a number, or {NO_SCORE} if none is published.")
        score = None
        if raw.lower() != NO_SCORE:
            try:
                score = float(raw)
            except ValueError:
                raise UnpredictError(f"{where}: the score '{raw}' is not a number (or {NO_SCORE}).") from None
            if not math.isfinite(score):
                raise UnpredictError(f"{where}: the score '{raw}' is not a finite number.")
            if not (row.get("source") or "").strip():
                raise UnpredictError(f"{where}: a score needs its source (a URL or citation).")
        table[model] = Benchmark(
            model, row["benchmark"].strip(), score, row["source"].strip(), (row.get("note") or "").strip()
        )
    return table


def load_benchmarks(path: Path | str = BENCHMARKS_CSV) -> dict[str, Benchmark]:
    path = Path(path)
    try:
        return parse_benchmarks(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise UnpredictError(f"Cannot read the benchmark table {path}: {exc}") from None


def load_paper_points(path: Path | str = PAPER_CSV) -> list[dict[str, str]]:
    with Path(path).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _measured(results: Sequence[RunRecord], y: YScore) -> dict[tuple[str, str, str, str, str], list[float]]:
    """y values per (pair, role, model label, identity, format) over the runs that report the score."""
    values: dict[tuple[str, str, str, str, str], list[float]] = defaultdict(list)
    for result in results:
        if result["experiment"] != y.experiment or not y.applies(result.get("params", {})):
            continue
        for role, side in result["sides"].items():
            value = side_scores(side).get(y.score)
            if value is not None and math.isfinite(value):
                where = (result["pair"], role, side["model"], side.get("identity", ""), side.get("format", ""))
                values[where].append(value)
    return values


def _alphas(results: Sequence[RunRecord]) -> dict[str, float]:
    """The α of every mixed side (the alignment dial), by its identity."""
    found: dict[str, float] = {}
    for result in results:
        for side in result["sides"].values():
            stored: Mapping[str, Any] = side
            if isinstance(stored.get("alpha"), int | float):
                found[side.get("identity", "")] = float(stored["alpha"])
    return found


def _dial_paths(by_pair: dict[str, dict[str, dict]], mixed: dict[str, list[dict]]) -> list[list[dict]]:
    """For each pair placed on both sides with mixed sides placed too: base, the mixed sides in
    order of α, aligned — the path the dial draws from one side to the other."""
    paths = []
    for pair, points in mixed.items():
        ends = by_pair.get(pair, {})
        if "base" in ends and "aligned" in ends:
            paths.append([ends["base"], *sorted(points, key=lambda p: p["alpha"]), ends["aligned"]])
    return paths


def scatter_data(
    results: Sequence[RunRecord],
    x: XAxis,
    y_key: str,
    paper_points: list[dict[str, str]] | None = None,
) -> ScatterData:
    """Points measured here (mean y over runs), lines joining each pair, and the paper's layer."""
    y = y_scores()[y_key]
    data = ScatterData(y, x)
    by_pair: dict[str, dict[str, dict]] = defaultdict(dict)
    mixed: dict[str, list[dict]] = defaultdict(list)  # the dial's mixed sides, by the pair they mix
    alphas = _alphas(results)
    for (pair, role, model, identity, fmt), values in sorted(_measured(results, y).items()):
        found, why = x.for_side(model, identity, fmt)
        point = {
            "pair": pair,
            "role": role,
            "model": model,
            "format": fmt,
            "x": found.value if found else None,
            "x_source": found.source if found else "",
            "x_provenance": x.provenance,
            "y": sum(values) / len(values),
            "runs": len(values),
            "y_source": f"{y.label}, measured here: mean of {len(values)} stored run{'s' if len(values) > 1 else ''}",
            "provenance": "measured here",
        }
        if identity in alphas:
            point["alpha"] = alphas[identity]
        if found is None:
            data.unplaced.append(point | {"why": why})
        elif "alpha" in point:
            data.points.append(point)
            mixed[pair.removesuffix("+mixed")].append(point)
        else:
            data.points.append(point)
            by_pair[pair][role] = point
    data.lines = [(sides["base"], sides["aligned"]) for sides in by_pair.values() if len(sides) == 2]
    data.paths = _dial_paths(by_pair, mixed)
    if y.paper:
        _paper_layer(data, y, x, paper_points or [])
    return data


def _paper_layer(data: ScatterData, y: YScore, x: XAxis, rows: list[dict]) -> None:
    if y.paper is None:
        return
    task, metric = y.paper
    for row in rows:
        if row["task"] != task or row["metric"] != metric:
            continue
        model = PAPER_MODELS.get((row["size"], row["variant"]), "")
        found = x.for_hub_id(model) if x.for_hub_id and model else None
        point = {
            "model": model or f"{row['size']} {row['variant']}",
            "variant": row["variant"],
            "size": row["size"],
            "role": "base" if row["variant"] == "Base" else "aligned",
            "x": found.value if found else None,
            "x_source": found.source if found else "",
            "x_provenance": x.provenance if found else "unknown",
            "y": float(row["value"]),
            "y_source": f"reported by the paper: {row['source_note']}",
            "provenance": "reported by the paper",
        }
        if found is None:
            point["why"] = x.paper_note or "no score for this model in the chosen source"
            data.reference_unplaced.append(point)
        else:
            data.reference.append(point)


def available_axes(results: Sequence[RunRecord], table: Path | str = BENCHMARKS_CSV) -> dict[str, XAxis]:
    """The x sources this install offers: IFBench from `results`, the table, a local leaderboard."""
    from unpredict_core.results.benchmark_axis import x_axes
    from unpredict_core.results.leaderboard import leaderboard_files, read_leaderboard

    return x_axes(results, load_benchmarks(table), read_leaderboard(leaderboard_files()))


def point_rows(data: ScatterData) -> list[dict[str, Any]]:
    """Every point, placed or not, as the flat rows the CLI prints and the page offers to download."""
    keys = ("model", "role", "x", "x_source", "x_provenance", "y", "y_source", "provenance", "why")
    return [
        {k: p.get(k) for k in keys} | {"side": p["role"], "placed": p["x"] is not None}
        for p in data.points + data.unplaced + data.reference + data.reference_unplaced
    ]


# -- what a fresh install runs to draw the figure -------------------------------------------------
# Until this store holds durations of its own, an experiment's declared `typical_seconds` (IFBench's
# from bench/README; the others are rough figures, not measurements).


def measurement_plan(y_key: str, device: str = "auto") -> list[tuple[str, Any]]:
    """The runs that place a pair on the figure for `y_key`: IFBench (x) and the y experiment,
    each with its default settings (IFBench's subset sized for the device)."""
    from unpredict_core.experiments import get_experiment, ifbench

    experiment = y_scores()[y_key].experiment
    return [
        (ifbench.NAME, ifbench.Params(limit=ifbench.default_limit(device))),
        (experiment, get_experiment(experiment).params()),
    ]


def estimate_seconds(plan: list[tuple[str, Any]], stored: list[dict[str, Any]]) -> float:
    """Expected time of `plan`: the median stored duration of runs with the same experiment and
    settings where this store has one, else the experiment's typical time."""
    from unpredict_core.experiments import get_experiment

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
