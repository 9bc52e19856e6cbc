"""The benchmark-vs-unpredictability figure: measured points (base ●, aligned ▼) with a line per
pair, and the paper's reported points as their own, differently drawn and labelled layer."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from unpredict_core.results.scatter import ScatterData

SYMBOLS = {"base": "circle", "aligned": "triangle-down"}
MEASURED = "#4C78A8"
PAPER = "#E45756"


def _hover(p: dict) -> str:
    lines = [p["model"], f"x = {p['x']:.4g} · {p['x_source']}", f"y = {p['y']:.4g} · {p['y_source']}"]
    return "<br>".join(html.escape(line) for line in lines)


def scatter_figure(data: ScatterData, x_title: str) -> go.Figure:
    fig = go.Figure()
    for base, aligned in data.lines:
        fig.add_trace(
            go.Scatter(
                x=[base["x"], aligned["x"]], y=[base["y"], aligned["y"]], mode="lines",
                line={"color": MEASURED, "width": 1}, showlegend=False, hoverinfo="skip",
            )
        )  # fmt: skip
    for path in data.paths:  # the alignment dial: base → mixed sides by α → aligned
        fig.add_trace(
            go.Scatter(
                x=[p["x"] for p in path], y=[p["y"] for p in path], mode="lines+markers",
                name="base → mixed by α → aligned · measured here",
                line={"color": MEASURED, "width": 1, "dash": "dot"},
                marker={"symbol": "diamond", "size": 9, "color": MEASURED},
                hovertext=[_hover(p) + (f"<br>α = {p['alpha']:g}" if "alpha" in p else "") for p in path],
                hoverinfo="text",
            )
        )  # fmt: skip
    for layer, points, colour in (
        ("measured here", data.points, MEASURED),
        ("reported by the paper", data.reference, PAPER),
    ):
        for role in ("base", "aligned"):
            chosen = [p for p in points if p["role"] == role]
            if not chosen:
                continue
            fig.add_trace(
                go.Scatter(
                    x=[p["x"] for p in chosen], y=[p["y"] for p in chosen], mode="markers",
                    name=f"{role} · {layer}",
                    marker={"symbol": SYMBOLS[role], "size": 13, "color": colour, "line": {"width": 1},
                            "opacity": 0.9 if layer == "measured here" else 0.6},
                    hovertext=[_hover(p) for p in chosen], hoverinfo="text",
                )
            )  # fmt: skip
    fig.update_layout(
        height=460,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        title={"text": data.y.label, "subtitle": {"text": data.y.note}},
        xaxis={"title": x_title},
        yaxis={"title": data.y.label},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig
