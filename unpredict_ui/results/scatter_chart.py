"""The benchmark-vs-unpredictability figure (the paper's Figure 1): base ● and aligned ▼ in the
sides' colours everywhere (base blue, aligned red); points measured here filled, with both axes'
intervals as error bars; the paper's reported points hollow, each family joined in stage order
(Base → Instruct, Base → SFT → DPO → Full); a line joins the two sides of each pair measured here."""

from __future__ import annotations

import html
import math

import plotly.graph_objects as go

from unpredict_core.results.family_view import ladder_path
from unpredict_core.results.scatter import ScatterData
from unpredict_ui.colours import SIDE_COLOURS

SYMBOLS = {"base": "circle", "aligned": "triangle-down"}
MEASURED_LINE = "#333333"
PAPER_LINE = "#9E9E9E"
LAYERS = ("measured here", "reported by the paper")


def _hover(p: dict) -> str:
    lines = [p["model"], f"x = {p['x']:.4g} · {p['x_source']}", f"y = {p['y']:.4g} · {p['y_source']}"]
    return "<br>".join(html.escape(line) for line in lines)


def _bars(points: list[dict], axis: str) -> dict | None:
    """Asymmetric error bars from each point's interval (none where it has none)."""
    cis = [p.get(f"{axis}_ci") for p in points]
    if not any(cis):
        return None
    plus = [(ci[1] - p[axis]) if ci else 0.0 for p, ci in zip(points, cis)]
    minus = [(p[axis] - ci[0]) if ci else 0.0 for p, ci in zip(points, cis)]
    return {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus, "thickness": 1.5, "width": 4}


LADDER_LINE = "#2E7D32"


def _path(fig: go.Figure, points: list[dict], colour: str, dash: str, name: str | None = None) -> None:
    fig.add_trace(
        go.Scatter(
            x=[p["x"] for p in points], y=[p["y"] for p in points], mode="lines",
            line={"color": colour, "width": 1.5, "dash": dash}, name=name or "", showlegend=name is not None,
            hoverinfo="skip",
        )
    )  # fmt: skip


def scatter_figure(data: ScatterData, x_title: str) -> go.Figure:
    fig = go.Figure()
    for index, path in enumerate(data.reference_paths):
        _path(fig, path, PAPER_LINE, "dot", "paper's families, stage by stage" if index == 0 else None)
    for index, (base, aligned) in enumerate(data.lines):
        _path(fig, [base, aligned], MEASURED_LINE, "solid", "our pair, base → aligned" if index == 0 else None)
    ladder = ladder_path(data.points)
    if ladder:  # the ladder trained here, stage by stage, as the paper's families are drawn
        _path(fig, ladder, LADDER_LINE, "solid", "ladder here: base → SFT → DPO · measured here")
    for path in data.paths:  # the alignment dial: base → mixed sides by α → aligned
        fig.add_trace(
            go.Scatter(
                x=[p["x"] for p in path], y=[p["y"] for p in path], mode="lines+markers",
                name="base → mixed by α → aligned · measured here",
                line={"color": MEASURED_LINE, "width": 1, "dash": "dash"},
                marker={"symbol": "diamond", "size": 9, "color": "#8E6C8A"},
                hovertext=[_hover(p) + (f"<br>α = {p['alpha']:g}" if "alpha" in p else "") for p in path],
                hoverinfo="text",
            )
        )  # fmt: skip
    for layer, points in zip(LAYERS, (data.points, data.reference)):
        for role in ("base", "aligned"):
            chosen = [p for p in points if p["role"] == role and "alpha" not in p]
            if chosen:
                fig.add_trace(_markers(chosen, role, layer))
    fig.update_layout(
        height=460,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        title={"text": data.y.label, "subtitle": {"text": data.y.note}},
        xaxis={"title": x_title},
        yaxis={"title": data.y.label},
        legend={"orientation": "h", "y": -0.2},
    )
    if data.x.key.startswith(("ifeval", "oll:")):
        fig.update_xaxes(range=[0, 100])
    if wants_log_y(data):
        fig.update_yaxes(type="log", dtick=1, range=_log_range(data))  # powers of ten only: no 11 px minor labels
    return fig


def _log_range(data: ScatterData) -> list[float]:
    """The y range in log10 units, with room for the markers and error bars at both ends."""
    values = [v for p in data.points + data.reference for v in (p["y"], *(p.get("y_ci") or ())) if v and v > 0]
    return [math.log10(min(values)) - 0.25, math.log10(max(values)) + 0.25]


def wants_log_y(data: ScatterData) -> bool:
    """A log y where the values span orders of magnitude (the paper's χ² in tens, a small model's in
    thousands) and none is below 1 (on the χ² scale, below the noise of 1,500 draws: near 0)."""
    ys = [p["y"] for p in data.points + data.reference]
    return bool(ys) and min(ys) >= 1 and max(ys) / min(ys) > 30


def _markers(points: list[dict], role: str, layer: str) -> go.Scatter:
    colour = SIDE_COLOURS[role]
    measured = layer == LAYERS[0]
    return go.Scatter(
        x=[p["x"] for p in points], y=[p["y"] for p in points], mode="markers",
        name=f"{role} · {layer}",
        marker={"symbol": SYMBOLS[role] if measured else f"{SYMBOLS[role]}-open", "size": 14 if measured else 12,
                "color": colour, "line": {"width": 2, "color": colour}},
        error_x=_bars(points, "x"), error_y=_bars(points, "y"),
        hovertext=[_hover(p) for p in points], hoverinfo="text",
    )  # fmt: skip
