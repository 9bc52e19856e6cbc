"""Benchmark score against unpredictability (SPEC 2.6), assembled as plain data by pure functions.

x is a model's benchmark score from a sourced, user-editable table; y is an unpredictability score
measured here, averaged over the stored runs that report it. The paper's reported points are a
separate layer: their y is the paper's number, their x comes from the same benchmark table, so a
model without a sourced score is listed, never placed at a guessed x.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UnpredictError
from .paths import PROJECT_ROOT
from .results_table import side_scores

REFERENCE_DIR = PROJECT_ROOT / "reference"
BENCHMARKS_CSV = REFERENCE_DIR / "benchmarks.csv"
PAPER_CSV = REFERENCE_DIR / "paper_reported.csv"
NO_SCORE = "n/a"


@dataclass(frozen=True)
class YScore:
    label: str
    experiment: str
    score: str  # key in results_table.side_scores
    paper: tuple[str, str] | None  # (task, metric) in paper_reported.csv
    note: str = ""


Y_SCORES: dict[str, YScore] = {
    "chi2": YScore(
        "χ² against uniform (random integers)", "random-integers", "chi2", ("random_integers", "chi2_vs_uniform")
    ),
    "kl": YScore("KL to uniform, bits (random integers)", "random-integers", "kl", None),
    "p7": YScore("P(7) (random integers)", "random-integers", "p7", None),
    "rps_net": YScore("Rock-paper-scissors net score", "rps", "net_score", ("rps", "net_score")),
    "hs_net": YScore(
        "Hide-and-seek net score",
        "hide-and-seek",
        "net_score",
        ("hide_and_seek", "score"),
        note="The paper's hide-and-seek score has an unpublished definition: not on the same scale as ours.",
    ),
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


@dataclass(frozen=True)
class Benchmark:
    model: str
    benchmark: str
    score: float | None  # None: no published score (listed, not plotted)
    source: str
    note: str = ""


@dataclass
class ScatterData:
    y: YScore
    points: list[dict[str, Any]] = field(default_factory=list)  # measured here, with an x
    unplaced: list[dict[str, Any]] = field(default_factory=list)  # measured, but no benchmark score
    lines: list[tuple[dict, dict]] = field(default_factory=list)  # base → aligned of one pair
    reference: list[dict[str, Any]] = field(default_factory=list)  # reported by the paper, with an x
    reference_unplaced: list[dict[str, Any]] = field(default_factory=list)


def model_key(label: str) -> str:
    """The hub id at the start of a model label ("google/gemma-3-270m (base, Q4_K_M GGUF)")."""
    return label.split(" ")[0]


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


def _measured(results: list[dict[str, Any]], y: YScore) -> dict[tuple[str, str, str], list[float]]:
    """y values per (pair, role, model) over the runs that report the score."""
    values: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for result in results:
        if result["experiment"] != y.experiment or result.get("params", {}).get("mode") == "sequences":
            continue
        for role, side in result["sides"].items():
            value = side_scores(side).get(y.score)
            if value is not None and math.isfinite(value):
                values[(result["pair"], role, side["model"])].append(value)
    return values


def scatter_data(
    results: list[dict[str, Any]],
    benchmarks: dict[str, Benchmark],
    y_key: str,
    paper_points: list[dict[str, str]] | None = None,
) -> ScatterData:
    """Points measured here (mean y over runs), lines joining each pair, and the paper's layer."""
    y = Y_SCORES[y_key]
    data = ScatterData(y)
    by_pair: dict[str, dict[str, dict]] = defaultdict(dict)
    for (pair, role, model), values in sorted(_measured(results, y).items()):
        bench = benchmarks.get(model_key(model))
        point = {
            "pair": pair,
            "role": role,
            "model": model,
            "x": bench.score if bench else None,
            "y": sum(values) / len(values),
            "runs": len(values),
            "benchmark": bench.benchmark if bench else "",
            "source": bench.source if bench else "",
            "provenance": "measured here",
        }
        if point["x"] is None:
            data.unplaced.append(point | {"why": "no benchmark score" if bench else "not in the benchmark table"})
        else:
            data.points.append(point)
            by_pair[pair][role] = point
    data.lines = [(sides["base"], sides["aligned"]) for sides in by_pair.values() if len(sides) == 2]
    if y.paper:
        _paper_layer(data, y, benchmarks, paper_points or [])
    return data


def _paper_layer(data: ScatterData, y: YScore, benchmarks: dict[str, Benchmark], rows: list[dict]) -> None:
    task, metric = y.paper
    for row in rows:
        if row["task"] != task or row["metric"] != metric:
            continue
        model = PAPER_MODELS.get((row["size"], row["variant"]), "")
        bench = benchmarks.get(model)
        point = {
            "model": model or f"{row['size']} {row['variant']}",
            "variant": row["variant"],
            "size": row["size"],
            "role": "base" if row["variant"] == "Base" else "aligned",
            "x": bench.score if bench else None,
            "y": float(row["value"]),
            "source": row["source_note"],
            "provenance": "reported by the paper",
        }
        (data.reference if point["x"] is not None else data.reference_unplaced).append(point)
