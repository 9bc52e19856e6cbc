"""Plotly figures. Pure functions of result dicts, so they can be tested without Streamlit."""

from __future__ import annotations

import plotly.graph_objects as go

ANSWERS = tuple(str(i) for i in range(11))
UNIFORM = 1 / len(ANSWERS)
FOCUS = "7"  # the paper's aligned models over-produce 7
BAR = "#4C78A8"
HIGHLIGHT = "#E45756"
REFERENCE = "#555555"
HEIGHT = 330


def _layout(fig: go.Figure, title: str, subtitle: str, x_title: str, y_max: float) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 14}, "subtitle": {"text": subtitle, "font": {"size": 12}}},
        height=HEIGHT,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        showlegend=False,
        bargap=0.15,
        xaxis={"title": x_title, "type": "category"},
        yaxis={"tickformat": ".0%", "range": [0, y_max], "title": None},
    )
    return fig


def distribution_figure(side: dict, title: str, y_max: float) -> go.Figure:
    """Bars of P(answer) for 0..10 (7 highlighted) against the uniform 1/11 line.

    Sampled results carry counts: they are written on the bars and in the hover text, and each
    bar has its 95 % Clopper-Pearson interval as a whisker (a 0 of 10 still reaches 31 %).
    """
    probs = [side["answers"].get(a, 0.0) for a in ANSWERS]
    counts = side.get("counts")
    intervals = side.get("answer_intervals")
    error = (
        {
            "type": "data",
            "array": [intervals[a][1] - p for a, p in zip(ANSWERS, probs, strict=True)],
            "arrayminus": [p - intervals[a][0] for a, p in zip(ANSWERS, probs, strict=True)],
            "color": REFERENCE,
            "thickness": 1,
        }
        if intervals
        else None
    )
    fig = go.Figure(
        go.Bar(
            x=list(ANSWERS),
            y=probs,
            marker_color=[HIGHLIGHT if a == FOCUS else BAR for a in ANSWERS],
            text=[f"{counts.get(a, 0):,}" for a in ANSWERS] if counts else None,
            textposition="outside",
            error_y=error,
            customdata=[counts.get(a, 0) for a in ANSWERS] if counts else None,
            hovertemplate="answer %{x}: %{y:.2%}"
            + (" (%{customdata:,} answers)" if counts else "")
            + "<extra></extra>",
        )
    )
    fig.add_hline(y=UNIFORM, line_dash="dash", line_color=REFERENCE)
    subtitle = "dashed line: uniform 1/11 · red bar: 7" + (" · whiskers: 95 % Clopper-Pearson" if intervals else "")
    return _layout(fig, title, subtitle, "answer", y_max)


def repetition_figure(side: dict, title: str, y_max: float) -> go.Figure:
    """Share of sequences by repetition count (10 − distinct values) against the exact
    distribution for ten i.i.d. uniform draws from 0..10."""
    counts = side["repetitions"]
    total = sum(counts) or 1
    reps = [str(r) for r in range(len(counts))]
    fig = go.Figure()
    fig.add_bar(
        x=reps,
        y=[c / total for c in counts],
        marker_color=BAR,
        name="measured",
        customdata=counts,
        hovertemplate="%{x} repetitions: %{y:.1%} (%{customdata:,} sequences)<extra></extra>",
    )
    fig.add_scatter(
        x=reps,
        y=side["iid_repetitions"],
        mode="lines+markers",
        line={"color": HIGHLIGHT, "dash": "dash"},
        name="i.i.d. uniform draws (exact)",
        hovertemplate="i.i.d. uniform: %{y:.2%}<extra></extra>",
    )
    _layout(
        fig,
        title,
        "bars: measured · dashed: ten i.i.d. uniform draws (exact)",
        "repetitions in a sequence of ten",
        y_max,
    )
    return fig


def shared_y_max(values: list[float]) -> float:
    """A common y range for side-by-side charts, with room for bar labels and the uniform line."""
    return max([UNIFORM, *values]) * 1.15
