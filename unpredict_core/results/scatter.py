"""Benchmark score against unpredictability (the paper's Figure 1), assembled by pure functions.

x comes from one `benchmark_axis.XAxis` (by default IFEval on the leaderboard's scale: reported by
the leaderboard for the paper's models, measured here for ours); y is an unpredictability score
measured here, by the method that can be trusted most (an exact run's value where a side has one,
never averaged with sampled runs; `one_y`), with its interval. Every point carries the source and
interval of its x and of its y. The paper's reported points are a separate layer, joined family by
family in stage order: their y is the paper's number, their x comes from a source that knows the
paper's models, so a model without a score is listed, never placed at a guessed x.
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
from unpredict_core.experiments import ScoreValue
from unpredict_core.paths import PROJECT_ROOT
from unpredict_core.records import RunRecord
from unpredict_core.results.benchmark_axis import NO_SCORE, Benchmark, XAxis
from unpredict_core.results.leaderboard_table import LeaderboardTable, load_table
from unpredict_core.trust import trusted

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
    of: Callable[[Mapping[str, Any], Mapping[str, Any]], ScoreValue | None] | None = None  # a side's value


def y_scores() -> dict[str, YScore]:
    """Every unpredictability score the registered experiments declare, by its key."""
    from unpredict_core.experiments import experiments

    return {
        s.key: YScore(s.label, e.name, s.field, s.paper, s.note, s.applies, s.of)
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
    reference_paths: list[list[dict]] = field(default_factory=list)  # one family in stage order
    untrusted: list[str] = field(default_factory=list)  # run ids left out: they fail the trust check


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


Where = tuple[str, str, str, str, str]  # (pair, role, model label, identity, format)


def _measured(results: Sequence[RunRecord], y: YScore) -> dict[Where, list[ScoreValue]]:
    """Every run's value of the score, per side, over the runs that report it."""
    values: dict[Where, list[ScoreValue]] = defaultdict(list)
    for result in results:
        params = result.get("params", {})
        if result["experiment"] != y.experiment or not y.applies(params) or not trusted(result):
            continue
        for role, side in result["sides"].items():
            found = y.of(side, params) if y.of else None
            if found is not None and math.isfinite(found.value):
                values[(result["pair"], role, side["model"], side.get("identity", ""), side.get("format", ""))].append(
                    found
                )
    return values


def one_y(values: list[ScoreValue], label: str) -> dict[str, Any]:
    """A side's y from its runs' values: the exact ones where any is exact (sampled runs never
    average into an exact value), else the mean of the others; the interval of one run, or the
    span of several runs' intervals; and a source that says which runs and methods made it."""
    exact = [v for v in values if v.method == "exact"]
    chosen = exact or values
    left_out = len(values) - len(chosen)
    intervals = [v.ci for v in chosen]
    ci = None
    if all(intervals):
        ci = (min(c[0] for c in intervals if c), max(c[1] for c in intervals if c))
    methods = sorted({v.method for v in chosen})
    runs = f"{len(chosen)} stored run{'s' if len(chosen) > 1 else ''}"
    source = f"{label}, measured here: {' and '.join(methods)}, {'mean of ' if len(chosen) > 1 else ''}{runs}"
    notes = sorted({v.note for v in chosen if v.note})
    if notes:
        source += f"; {'; '.join(notes)}"
    if left_out:
        source += f"; {left_out} sampled run{'s' if left_out > 1 else ''} left out beside the exact value"
    return {
        "y": sum(v.value for v in chosen) / len(chosen),
        "y_ci": ci,
        "y_method": "+".join(methods),
        "runs": len(chosen),
        "y_source": source,
    }


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
    data.untrusted = [r["run_id"] for r in results if not trusted(r)]
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
            "x_ci": found.ci if found else None,
            "x_source": found.source if found else "",
            "x_provenance": (found.provenance or x.provenance) if found else x.provenance,
            **one_y(values, y.label),
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
            "x_ci": None,
            "x_source": found.source if found else "",
            "x_provenance": (found.provenance or x.provenance) if found else "unknown",
            "y": float(row["value"]),
            "y_ci": None,
            "y_method": "reported",
            "y_source": f"reported by the paper: {row['source_note']}",
            "provenance": "reported by the paper",
        }
        if found is None:
            point["why"] = x.paper_note or "no score for this model in the chosen source"
            data.reference_unplaced.append(point)
        else:
            data.reference.append(point)
    data.reference_paths = family_paths(data.reference)


# the paper's families in stage order: Meta's own post-training, and AllenAI's Tulu 3 recipe
FAMILIES = (("Base", "Llama-Instruct"), ("Base", "Tulu-SFT", "Tulu-DPO", "Tulu-Full"))


def family_paths(points: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """For each size, each family's placed stages joined in order (two stages at least)."""
    paths = []
    for size in sorted({p["size"] for p in points}):
        by_variant = {p["variant"]: p for p in points if p["size"] == size}
        for family in FAMILIES:
            path = [by_variant[v] for v in family if v in by_variant]
            if len(path) >= 2:
                paths.append(path)
    return paths


def available_axes(
    results: Sequence[RunRecord], table: Path | str = BENCHMARKS_CSV, leaderboard: LeaderboardTable | None = None
) -> dict[str, XAxis]:
    """The x sources this install offers: IFEval and IFBench from `results`, the leaderboard
    table, the benchmark table, a local copy of the leaderboard."""
    from unpredict_core.results.benchmark_axis import x_axes
    from unpredict_core.results.leaderboard import leaderboard_files, read_leaderboard

    board = load_table() if leaderboard is None else leaderboard
    return x_axes(results, load_benchmarks(table), read_leaderboard(leaderboard_files()), board)


def point_rows(data: ScatterData) -> list[dict[str, Any]]:
    """Every point, placed or not, as the flat rows the CLI prints and the page offers to download."""
    keys = ("model", "role", "x", "x_ci", "x_source", "x_provenance", "y", "y_ci", "y_method", "y_source",
            "provenance", "why")  # fmt: skip
    return [
        {k: p.get(k) for k in keys} | {"side": p["role"], "placed": p["x"] is not None}
        for p in data.points + data.unplaced + data.reference + data.reference_unplaced
    ]
