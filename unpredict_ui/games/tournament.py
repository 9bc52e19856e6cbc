"""How a rock-paper-scissors tournament is shown: net score per opponent for base and aligned
(table and heat map), the opponents that exploit each side most, and predictability per game
state over the whole field. Every number is measured here; the game protocol is our
reconstruction. `tournament_frame`, `heatmap_figure` and `field_predictability_figure` are pure."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from unpredict_core.experiments.games import roshambo, rps_tournament
from unpredict_core.experiments.games.rps_tournament import most_exploiting
from unpredict_core.runs import ROLES
from unpredict_ui.games.charts import STATE_LABELS, _layout, _reference, predictability_bars
from unpredict_ui.running import timing_text
from unpredict_ui.views import shows

GROUPS = {True: "RoShamBo bot", False: "ours"}


def played_roles(result: dict) -> list[str]:
    return [role for role in ROLES if not result["sides"][role].get("skipped")]


def short_name(opponent: str) -> str:
    return opponent.removeprefix(roshambo.PREFIX)


def tournament_frame(result: dict) -> pd.DataFrame:
    """One row per opponent: its group and each played side's net and expected net score."""
    roles = played_roles(result)
    games = {role: {g["opponent"]: g for g in result["sides"][role]["games"]} for role in roles}
    rows = []
    for name in result["params"]["opponents"]:
        row = {"Opponent": short_name(name), "Group": GROUPS[roshambo.is_roshambo(name)]}
        for role in roles:
            game = games[role][name]
            row[f"{role.title()} net"] = round(game["net_score"], 1)
            row[f"{role.title()} expected net"] = round(game["expected_net_score"], 1)
            row[f"{role.title()} win rate"] = round(game["win_rate"], 3)
        rows.append(row)
    return pd.DataFrame(rows)


def heatmap_figure(result: dict) -> go.Figure:
    """Net score per opponent (rows) and side (columns): red where the opponent wins."""
    frame = tournament_frame(result)
    roles = played_roles(result)
    z = [[frame.loc[i, f"{role.title()} net"] for role in roles] for i in frame.index]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[role.title() for role in roles],
            y=list(frame["Opponent"]),
            zmin=-100,
            zmax=100,
            zmid=0,
            colorscale="RdBu",
            text=[[f"{v:+.0f}" for v in row] for row in z],
            texttemplate="%{text}",
            colorbar={"title": {"text": "net"}},
            hovertemplate="%{x} vs %{y}: net %{z:+.1f}<extra></extra>",
        )
    )
    fig = _layout(
        fig,
        "Net score per opponent",
        "100·(wins − losses)/rounds\nblue: the model wins · red: the opponent",
        "side",
        {"autorange": "reversed", "type": "category"},
        legend=False,
    )
    fig.update_layout(height=max(420, 120 + 22 * len(frame)))
    return fig


def field_predictability_figure(result: dict) -> go.Figure:
    """Mean max_a p(a) by the previous round's outcome, over every round of every game."""
    fig = go.Figure()
    predictability_bars(fig, result["sides"], played_roles(result), STATE_LABELS)
    _reference(fig, 1 / 3, "uniform play: 1/3")
    fig.update_layout(barmode="group", bargap=0.25)
    return _layout(
        fig,
        "Predictability by game state, across the field",
        "mean probability of the model's most likely move, over every game\nno bar: never occurred",
        "previous round",
        {"range": [0, 1.12], "tickformat": ".0%"},
    )


def exploiters_frame(result: dict, n: int = 5) -> pd.DataFrame:
    rows = []
    for role in played_roles(result):
        for rank, (name, net) in enumerate(most_exploiting(result["sides"][role], n), start=1):
            rows.append({"Side": role.title(), "Rank": rank, "Opponent": short_name(name), "Net": round(net, 1)})
    return pd.DataFrame(rows, columns=["Side", "Rank", "Opponent", "Net"])


@shows(rps_tournament.NAME)
def show_tournament(result: dict) -> None:
    sides, params = result["sides"], result["params"]
    roles = played_roles(result)
    st.subheader(f"Measured here: {len(params['opponents'])} opponents × {params['rounds']} rounds")
    st.caption(
        f"Pair “{result['pair']}” · seed {params['seed']} · run {result['run_id']} · each game is the "
        "rock-paper-scissors game against that opponent with this seed. Measured on this machine; the game "
        "protocol (prompt wording, history format, scoring) is our reconstruction of details the paper did "
        "not publish."
    )
    for role in ROLES:
        if sides[role].get("skipped"):
            st.caption(f"{role.title()} side: {sides[role]['skipped']}.")
        elif sides[role].get("format_note"):
            st.warning(f"{role.title()}: {sides[role]['format_note']}")
    (st.info if result.get("cached") else st.success)(timing_text(result))
    columns = st.columns(len(roles))
    for column, role in zip(columns, roles, strict=True):
        side = sides[role]
        column.metric(
            f"{role.title()}: mean net score over the field",
            f"{side['net_score']:+.1f}",
            help="0 is what uniform play scores in expectation; below 0 the field exploits the model.",
        )
        column.caption(
            f"{side['games_won']} games won, {side['games_lost']} lost · expected net {side['expected_net_score']:+.1f}"
            f" · min coverage {side['min_coverage']:.1%}"
        )
    table, chart = st.columns([3, 2], gap="large")
    table.markdown("**Net score per opponent** (measured here)")
    frame = tournament_frame(result)
    table.dataframe(frame, hide_index=True, width="stretch", height=min(600, 35 * (len(frame) + 1) + 3))
    chart.plotly_chart(heatmap_figure(result), key="tournament.heatmap")
    left, right = st.columns(2, gap="large")
    left.markdown("**The opponents that exploit each side most** (lowest net score; measured here)")
    exploiters = exploiters_frame(result)
    if exploiters.empty:
        left.caption("No opponent beat either side.")
    else:
        left.dataframe(exploiters, hide_index=True, width="stretch")
    right.plotly_chart(field_predictability_figure(result), key="tournament.predictability")
    st.caption(
        "The paper reports that aligned models become near-deterministic after winning or tying; here the "
        "states are pooled over every game of the tournament."
    )
    with st.expander("Prompt of round 1 sent to each side"):
        for column, role in zip(st.columns(len(roles)), roles, strict=True):
            column.markdown(f"**{role.title()}** · format `{sides[role]['format']}`")
            column.code(sides[role]["prompt"], language=None, wrap_lines=True)
