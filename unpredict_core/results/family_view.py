"""The family view (the paper's own figures): every stage of one family on one chart per score.

The ladder built here (the default base, its SFT stage, its DPO stage: measured here, from the
stored runs of the pairs `ladder-sft` and `ladder-dpo`, each with its interval) beside the paper's
Llama-3.1 8B and 70B families (Base, Tulu-SFT, Tulu-DPO, Tulu-Full and Meta's Instruct: the values
the paper reports, from reference/paper_reported.csv, which have no intervals). Stages sit on one
categorical axis in training order, so a family's line reads as what post-training did to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from unpredict_core.records import RunRecord
from unpredict_core.results.scatter import _measured, one_y, y_scores

STAGE_ORDER = ("Base", "SFT", "DPO", "Full", "Instruct")
LADDER_SIDES = {("ladder-sft", "base"): "Base", ("ladder-dpo", "base"): "Base",
                ("ladder-sft", "aligned"): "SFT", ("ladder-dpo", "aligned"): "DPO"}  # fmt: skip
PAPER_STAGES = {"Base": "Base", "Tulu-SFT": "SFT", "Tulu-DPO": "DPO", "Tulu-Full": "Full", "Llama-Instruct": "Instruct"}
LADDER_FAMILY = "gemma-3-270m ladder (trained here)"


def ladder_stages(results: Sequence[RunRecord], y_key: str) -> list[dict[str, Any]]:
    """The ladder's stages that have stored runs of the score: y, interval and source, in order."""
    y = y_scores()[y_key]
    values: dict[str, list[Any]] = defaultdict(list)
    models: dict[str, str] = {}
    for (pair, role, model, _identity, _fmt), found in _measured(results, y).items():
        stage = LADDER_SIDES.get((pair, role))
        if stage:
            values[stage] += found
            models[stage] = model
    return [
        {"stage": stage, "model": models[stage], **one_y(values[stage], y.label), "provenance": "measured here"}
        for stage in STAGE_ORDER
        if values.get(stage)
    ]


def paper_families(rows: Sequence[dict[str, str]], y_key: str) -> list[dict[str, Any]]:
    """The paper's reported stages of the score, one family per model size."""
    paper = y_scores()[y_key].paper
    if paper is None:
        return []
    task, metric = paper
    by_size: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        stage = PAPER_STAGES.get(row["variant"])
        if row["task"] == task and row["metric"] == metric and stage and row["size"] in ("8B", "70B"):
            by_size[row["size"]].append({
                "stage": stage, "model": f"Llama-3.1-{row['size']} {row['variant']}", "y": float(row["value"]),
                "y_ci": None, "y_method": "reported", "provenance": "reported by the paper",
                "y_source": f"reported by the paper: {row['source_note']}",
            })  # fmt: skip
    return [
        {
            "family": f"Llama-3.1-{size}",
            "provenance": "reported by the paper",
            "points": sorted(points, key=lambda p: STAGE_ORDER.index(p["stage"])),
        }  # fmt: skip
        for size, points in sorted(by_size.items(), key=lambda item: int(item[0].rstrip("B")))
    ]


def family_view(results: Sequence[RunRecord], y_key: str, paper_rows: Sequence[dict[str, str]]) -> dict[str, Any]:
    """One chart's data: the ladder's family and the paper's, on the stage axis."""
    ladder = ladder_stages(results, y_key)
    families = [{"family": LADDER_FAMILY, "provenance": "measured here", "points": ladder}] if ladder else []
    return {
        "y": y_key,
        "label": y_scores()[y_key].label,
        "stages": list(STAGE_ORDER),
        "families": families + paper_families(paper_rows, y_key),
    }


def ladder_path(points: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """On Figure 1: the ladder's placed stages joined base → SFT → DPO (two at least)."""
    chosen: dict[str, dict[str, Any]] = {}
    for point in points:
        stage = LADDER_SIDES.get((point.get("pair", ""), point.get("role", "")))
        if stage and "alpha" not in point:
            chosen.setdefault(stage, point)
    path = [chosen[stage] for stage in ("Base", "SFT", "DPO") if stage in chosen]
    return path if len(path) >= 2 else []
