"""The alignment ladder's page parts: what is built (held-out scores with intervals), a build with
progress, and the family view (one chart per score, the ladder beside the paper's families)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.results.family_view import LADDER_FAMILY
from unpredict_ui.text import plain

TULU_PATH = ("Base", "SFT", "DPO", "Full")
FAMILY_COLOURS = {LADDER_FAMILY: "#2E7D32", "Llama-3.1-8B": "#7F7F7F", "Llama-3.1-70B": "#B0855A"}


def _points_trace(points: list[dict[str, Any]], name: str, colour: str, measured: bool) -> go.Scatter:
    bars = None
    if measured and all(p.get("y_ci") for p in points):
        bars = {"type": "data", "symmetric": False, "array": [p["y_ci"][1] - p["y"] for p in points],
                "arrayminus": [p["y"] - p["y_ci"][0] for p in points], "color": colour}  # fmt: skip
    return go.Scatter(
        x=[p["stage"] for p in points], y=[p["y"] for p in points], mode="lines+markers", name=name,
        line={"color": colour, "width": 2.5 if measured else 1.5, "dash": "solid" if measured else "dot"},
        marker={"size": 11, "color": colour if measured else "white", "line": {"color": colour, "width": 2}},
        error_y=bars, hovertext=[plain(p["y_source"]) for p in points], hoverinfo="text+y",
    )  # fmt: skip


def family_figure(view: dict[str, Any], height: int = 380, font: int = 14) -> go.Figure:
    fig = go.Figure()
    for family in view["families"]:
        measured = family["provenance"] == "measured here"
        colour = FAMILY_COLOURS.get(family["family"], "#555555")
        by_stage = {p["stage"]: p for p in family["points"]}
        main = [by_stage[s] for s in TULU_PATH if s in by_stage]
        label = f"{family['family']} · {family['provenance']}"
        if main:
            fig.add_trace(_points_trace(main, label, colour, measured))
        if "Instruct" in by_stage:  # Meta's own post-training: a branch from the same base
            branch = [p for p in (by_stage.get("Base"), by_stage["Instruct"]) if p]
            trace = _points_trace(
                branch, f"{family['family']} Base → Instruct · {family['provenance']}", colour, measured
            )
            trace.line["dash"] = "dash"
            fig.add_trace(trace)
    values = [p["y"] for family in view["families"] for p in family["points"]]
    if values and min(values) > 0 and max(values) / min(values) > 30:  # the paper's χ² and a 270M model's
        fig.update_yaxes(type="log", dtick=1)  # powers of ten only
    fig.update_layout(
        height=height, title={"text": view["label"]}, font={"size": font}, margin={"l": 10, "r": 10, "t": 50, "b": 10},
        xaxis={"title": "stage", "categoryorder": "array", "categoryarray": view["stages"], "type": "category"},
        yaxis={"title": view["label"]}, legend={"orientation": "h", "y": -0.25},
    )  # fmt: skip
    return fig


def _percent(score: dict[str, Any]) -> str:
    low, high = score.get("ci") or (0.0, 0.0)
    return f"{100 * (score.get('prompt_strict') or 0):.1f} % [{100 * low:.1f}–{100 * high:.1f}] (n = {score['trials']})"


def status_table(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per model of a ladder: its held-out accuracy, its gain over the base, its training."""
    rows = []
    if "heldout_base" in entry:
        score = _percent(entry["heldout_base"])
        rows.append({"model": "base", "status": "as installed", "held-out strict (measured here)": score,
                     "minus the base, 95 %": "", "training": ""})  # fmt: skip
    for stage in entry["stages"]:
        held, train = stage.get("heldout"), stage.get("train")
        diff = held.get("diff_ci") if held else None
        rows.append({
            "model": stage["stage"].upper(), "status": stage["status"],
            "held-out strict (measured here)": _percent(held) if held else "",
            "minus the base, 95 %": f"[{100 * diff[0]:+.1f}, {100 * diff[1]:+.1f}] points" if diff else "",
            "training": (f"{train['examples']} rows, {train['steps']} steps, {train['seconds']:.0f} s, loss "
                         f"{train['loss_first']:.3f} → {train['loss_last']:.3f}") if train else "",
        })  # fmt: skip
    return rows


def build_section() -> None:
    """A button that builds (or finds) the default ladder, with progress and an estimate."""
    if not st.button("Build the ladder (about 20–30 min on 2 CPU cores, minutes on a GPU)", key="ladder-build"):
        return
    from unpredict_core.ladder.build import build, plan
    from unpredict_core.ladder.recipe import STAGES

    bar = st.progress(0.0, text="starting the ladder build")

    def report(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    try:
        result = build(plan(progress=report), STAGES, report)
    except UnpredictError as exc:
        st.error(plain(exc))
        return
    how = "from the cache" if result["cached"] else "built"
    st.success(f"Ladder {result['recipe']} ready ({how}, {result['seconds']:.0f} s). Pick the pair ladder-sft "
               "or ladder-dpo in the sidebar to run experiments.")  # fmt: skip
