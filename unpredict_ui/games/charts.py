"""Plotly figures for the repeated games (rock-paper-scissors, hide-and-seek).

Pure functions of result dicts (the `sides` of a `run_experiment` result), so they can be tested
without Streamlit. Base is blue and aligned red on every chart; dashed lines are references.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go

from unpredict_core.experiments.games import hide_and_seek, rps
from unpredict_core.runs import ROLES
from unpredict_ui.colours import SIDE_COLOURS
from unpredict_ui.random_integers.charts import BAR, HIGHLIGHT, REFERENCE

MOVE_COLOURS = {"rock": "#9D755D", "paper": "#72B7B2", "scissors": "#B279A2"}
STATE_LABELS = {"win": "after a win", "tie": "after a tie", "loss": "after a loss"}
HEIGHT = 420


def _layout(fig: go.Figure, title: str, subtitle: str, x_title: str, y: dict, legend: bool = True) -> go.Figure:
    """Readable from the back of a room: 14 px text, the legend under the plot, clear of the title.
    A subtitle's lines (split by newlines) are drawn as lines: plotly never wraps a subtitle, and in
    a half-width column a long one is cut off."""
    lines = subtitle.split("\n")
    fig.update_layout(
        title={
            "text": title,
            "font": {"size": 17},
            "subtitle": {"text": "<br>".join(lines), "font": {"size": 13}},
            "yref": "container",  # at the figure's top, so the margin below holds every subtitle line
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 12},
        },
        font={"size": 14},
        height=HEIGHT,
        margin={"l": 10, "r": 10, "t": 70 + 26 * (len(lines) - 1), "b": 70 if legend else 10},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "top", "y": -0.25, "xanchor": "left", "x": 0.0},
        xaxis={"title": x_title},
        yaxis={"title": None} | y,
    )
    return fig


def _reference(fig: go.Figure, y: float, text: str) -> None:
    fig.add_hline(
        y=y,
        line_dash="dash",
        line_color=REFERENCE,
        annotation_text=text,
        annotation_position="top left",
        annotation_font_size=11,
    )


def running_mean(values: Sequence[float]) -> list[float]:
    """Mean of the first t values, for t = 1..n."""
    values = np.asarray(values, dtype=float)
    return list(np.cumsum(values) / np.arange(1, len(values) + 1))


# -- both games ---------------------------------------------------------------------------------
def net_score_figure(sides: dict, round_score: Callable[[dict], float], subtitle: str) -> go.Figure:
    """Net score after each round (100 × mean score so far; its last point is the table's net score),
    measured (solid) and expected from the model's own probabilities (dotted), base vs aligned."""
    fig = go.Figure()
    for role in ROLES:
        rounds = sides[role]["rounds"]
        x = list(range(1, len(rounds) + 1))
        colour = SIDE_COLOURS[role]
        fig.add_scatter(
            x=x,
            y=[100 * v for v in running_mean([round_score(r) for r in rounds])],
            mode="lines+markers",
            marker={"size": 4},
            line={"color": colour, "width": 3},
            name=f"{role} (measured)",
            hovertemplate=f"{role}, round %{{x}}: net %{{y:+.1f}}<extra></extra>",
        )
        fig.add_scatter(
            x=x,
            y=[100 * v for v in running_mean([r["expected_score"] for r in rounds])],
            mode="lines",
            line={"color": colour, "dash": "dot", "width": 2},
            name=f"{role} (expected)",
            hovertemplate=f"{role}, round %{{x}}: expected net %{{y:+.1f}}<extra></extra>",
        )
    _reference(fig, 0, "uniform play: 0")
    return _layout(fig, "Net score after each round", subtitle, "round", {"range": [-105, 105]})


# -- rock-paper-scissors ------------------------------------------------------------------------
def rps_round_score(r: dict) -> float:
    return rps.RULES.score(r["outcome"])  # the game's own rule, not a copy


def win_rate_figure(sides: dict) -> go.Figure:
    fig = go.Figure()
    for role in ROLES:
        rounds = sides[role]["rounds"]
        fig.add_scatter(
            x=list(range(1, len(rounds) + 1)),
            y=running_mean([r["outcome"] == "win" for r in rounds]),
            mode="lines+markers",
            marker={"size": 4},
            line={"color": SIDE_COLOURS[role], "width": 3},
            name=role,
            hovertemplate=f"{role}, round %{{x}}: %{{y:.0%}} won<extra></extra>",
        )
    _reference(fig, 1 / 3, "uniform play: 1/3")
    return _layout(
        fig,
        "Win rate after each round",
        "share of rounds won so far by the model",
        "round",
        {"range": [0, 1.02], "tickformat": ".0%"},
    )


def move_probability_figure(side: dict, title: str) -> go.Figure:
    """The model's exact move distribution in every round, stacked (each round sums to 1)."""
    rounds = side["rounds"]
    x = list(range(1, len(rounds) + 1))
    fig = go.Figure()
    for move, colour in MOVE_COLOURS.items():
        fig.add_scatter(
            x=x,
            y=[r["p"][move] for r in rounds],
            name=move,
            stackgroup="p",
            mode="lines",
            line={"color": colour, "width": 0.5},
            fillcolor=colour,
            customdata=[r["model_move"] for r in rounds],
            hovertemplate=f"round %{{x}}: P({move}) = %{{y:.1%}} · played %{{customdata}}<extra></extra>",
        )
    return _layout(
        fig,
        title,
        "exact P(move) each round, before its move was sampled",
        "round",
        {"range": [0, 1], "tickformat": ".0%"},
    )


def predictability_bars(fig: go.Figure, sides: dict, roles, labels: dict[str, str]) -> None:
    """A bar per side and game state: the mean max_a p(a) after that state (a state never seen: no bar)."""
    for role in roles:
        values = [sides[role]["predictability"].get(s) for s in labels]
        fig.add_bar(
            x=list(labels.values()),
            y=values,
            name=role,
            marker_color=SIDE_COLOURS[role],
            text=[f"{v:.0%}" if v is not None else "" for v in values],
            textposition="outside",
            hovertemplate=f"{role}, %{{x}}: mean max P = %{{y:.1%}}<extra></extra>",
        )


def predictability_figure(sides: dict, labels: dict[str, str] = STATE_LABELS) -> go.Figure:
    """Mean max_a p(a) grouped by the previous round's outcome; a state never seen has no bar."""
    fig = go.Figure()
    states = list(labels)
    predictability_bars(fig, sides, ROLES, labels)
    for state in states:
        missing = [role for role in ROLES if sides[role]["predictability"].get(state) is None]
        if missing:
            who = "" if len(missing) == len(ROLES) else f"{missing[0]}: "
            fig.add_annotation(
                x=labels[state], y=0.08, text=f"{who}never occurred", showarrow=False, font={"color": REFERENCE}
            )
    _reference(fig, 1 / 3, "uniform play: 1/3")
    fig.update_layout(barmode="group", bargap=0.25)
    return _layout(
        fig,
        "Predictability by game state",
        "mean probability of the model's most likely move\nno bar: that state never occurred",
        "previous round",
        {"range": [0, 1.12], "tickformat": ".0%"},
    )


# -- hide-and-seek ------------------------------------------------------------------------------
def hide_and_seek_round_score(spots: int) -> Callable[[dict], float]:
    """The game's own rule (found = −1, escaped = 1/(K−1)), applied to a stored round."""
    rules = hide_and_seek.HideAndSeekRules(spots)
    return lambda r: rules.score("loss" if r["found"] else "win")


def spot_heatmap(side: dict, spots: int, title: str, z_max: float) -> go.Figure:
    """Rounds (rows) × spots (columns) of the exact hiding distribution, with where it hid."""
    rounds = side["rounds"]
    labels = [str(s) for s in range(1, spots + 1)]
    y = list(range(1, len(rounds) + 1))
    fig = go.Figure(
        go.Heatmap(
            z=[[r["p"][s] for s in labels] for r in rounds],
            x=labels,
            y=y,
            zmin=0,
            zmax=z_max,
            colorscale="Blues",
            colorbar={"tickformat": ".0%", "thickness": 12},
            hovertemplate="round %{y}, spot %{x}: P = %{z:.1%}<extra></extra>",
        )
    )
    found = [r["found"] for r in rounds]
    fig.add_scatter(
        x=[r["hide"] for r in rounds],
        y=y,
        mode="markers",
        showlegend=False,
        marker={
            "symbol": ["circle" if f else "circle-open" for f in found],
            "size": 9,
            "color": [HIGHLIGHT if f else "#222222" for f in found],
            "line": {"width": 2},
        },
        customdata=[r["seek"] for r in rounds],
        hovertemplate="round %{y}: hid in %{x}, seeker searched %{customdata}<extra></extra>",
    )
    fig.update_yaxes(range=[len(rounds) + 0.5, 0.5], title="round")  # round 1 on top
    fig.update_xaxes(type="category")
    return _layout(
        fig,
        title,
        "colour: exact P(spot) · circle: where it hid (red: found)",
        "spot",
        {"title": "round"},
        legend=False,
    )


def found_rate_figure(sides: dict, spots: int) -> go.Figure:
    fig = go.Figure()
    for role in ROLES:
        rounds = sides[role]["rounds"]
        fig.add_scatter(
            x=list(range(1, len(rounds) + 1)),
            y=running_mean([r["found"] for r in rounds]),
            mode="lines+markers",
            marker={"size": 4},
            line={"color": SIDE_COLOURS[role], "width": 3},
            name=role,
            hovertemplate=f"{role}, round %{{x}}: found %{{y:.0%}}<extra></extra>",
        )
    _reference(fig, 1 / spots, f"optimum 1/{spots}")
    return _layout(
        fig,
        "Found rate after each round",
        "share of rounds in which the seeker found the model",
        "round",
        {"range": [0, 1.02], "tickformat": ".0%"},
    )


def spot_use_figure(sides: dict, spots: int) -> go.Figure:
    labels = [str(s) for s in range(1, spots + 1)]
    fig = go.Figure()
    for role in ROLES:
        use = sides[role]["spot_use"]
        fig.add_bar(
            x=labels,
            y=[use[s] for s in labels],
            name=role,
            marker_color=SIDE_COLOURS[role],
            hovertemplate=f"{role}, spot %{{x}}: %{{y:.0%}} of rounds<extra></extra>",
        )
    _reference(fig, 1 / spots, f"uniform 1/{spots}")
    fig.update_layout(barmode="group", bargap=0.2)
    fig.update_xaxes(type="category")
    top = max([1 / spots] + [v for role in ROLES for v in sides[role]["spot_use"].values()])
    return _layout(
        fig,
        "Spot use",
        "share of rounds hidden in each spot · bars above the line: overused",
        "spot",
        {"range": [0, min(1.05, top * 1.2)], "tickformat": ".0%"},
    )


# -- play yourself ------------------------------------------------------------------------------
def round_probability_figure(p: dict[str, float], played: str, title: str, marked: str | None = None) -> go.Figure:
    """One round's exact distribution; the move the model actually played is red, and the `marked`
    move (the spot the person searched) is outlined and named under its bar."""
    moves = list(p)
    fig = go.Figure(
        go.Bar(
            x=moves,
            y=[p[m] for m in moves],
            marker={
                "color": [HIGHLIGHT if m == played else BAR for m in moves],
                "line": {"color": "#111111", "width": [4 if m == marked else 0 for m in moves]},
            },
            text=[f"{p[m]:.0%}" for m in moves],
            textposition="outside",
            textfont={"size": 16},
            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
        )
    )
    fig.add_hline(y=1 / len(moves), line_dash="dash", line_color=REFERENCE)
    subtitle = "red: what it played · dashed: uniform"
    if marked is not None:
        subtitle = "red: where it hid · outlined: where you searched · dashed: uniform"
        # category positions by name: an annotation at x="5" would land on the sixth category
        fig.update_xaxes(tickvals=moves, ticktext=[f"<b>{m}</b><br>searched" if m == marked else m for m in moves])
    fig.update_xaxes(type="category", tickfont={"size": 16})
    return _layout(fig, title, subtitle, "", {"range": [0, 1.15], "tickformat": ".0%"}, legend=False)
