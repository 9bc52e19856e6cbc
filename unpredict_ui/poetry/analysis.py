"""Poetry page, Analysis: the human votes (measured here) beside the paper's numbers (reported),
and the automatic proxies (labelled proxies, never presented as the human result)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.experiments.poetry.metrics import (
    CRITERIA,
    PAPER_FINDING,
    PAPER_RHO,
    complete_votes,
    spearman_with_preference,
    win_rates,
)
from unpredict_core.results.paper_beside import beside_votes
from unpredict_core.runs import ROLES
from unpredict_ui.colours import SIDE_COLOURS
from unpredict_ui.paper import show_beside
from unpredict_ui.resources import store
from unpredict_ui.state import kept_key
from unpredict_ui.text import count, plain

MEASURED, REPORTED, PROXY = "measured here", "reported by the paper", "proxy (automatic, not a human judgement)"
PROXY_ROWS = (
    ("distinct_1", "Distinct-1: unique words / words, all poems of a side"),
    ("distinct_2", "Distinct-2: unique word pairs / word pairs"),
    ("overlap_2", "Word-pair overlap between a side's poems (Jaccard; lower = more varied)"),
    ("embedding_diversity", "Embedding diversity: mean 1 − cosine between a side's poems (MiniLM)"),
)


def _num(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def win_rate_frame(rates: dict[str, dict]) -> pd.DataFrame:
    rows = []
    for criterion in CRITERIA:
        r = rates[criterion]
        interval = "—" if r["rate"] is None else f"{r['ci_low']:.0%} – {r['ci_high']:.0%}"
        rows.append(
            {
                "Criterion": criterion,
                "Base wins": f"{r['base_wins']} of {r['votes']}",
                "Ties / both bad": r.get("ties", 0),
                "Base win rate": "—" if r["rate"] is None else f"{r['rate']:.0%}",
                "95 % interval (exact binomial)": interval,
                "p vs 50 %": _num(r.get("p_value"), 3),
                "Source": MEASURED,
            }
        )
    return pd.DataFrame(rows)


def win_rate_figure(rates: dict[str, dict]) -> go.Figure:
    shown = [c for c in CRITERIA if rates[c]["rate"] is not None]
    rate = [rates[c]["rate"] for c in shown]
    fig = go.Figure(
        go.Bar(
            x=shown,
            y=rate,
            name="base win rate (measured here)",
            marker_color=SIDE_COLOURS["base"],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [rates[c]["ci_high"] - rates[c]["rate"] for c in shown],
                "arrayminus": [rates[c]["rate"] - rates[c]["ci_low"] for c in shown],
            },
        )
    )
    fig.add_hline(y=0.5, line_dash="dot", annotation_text="no difference (50 %)")
    fig.update_layout(
        title="Base poem's win rate per question, measured here (95 % exact binomial intervals)",
        yaxis={"range": [0, 1], "tickformat": ".0%", "title": "base wins"},
        height=380,
        margin={"t": 60, "b": 40},
    )
    return fig


def spearman_frame(rho: dict[str, dict]) -> pd.DataFrame:
    rows = []
    for criterion in ("originality", "pleasantness"):
        r = rho[criterion]
        measured = _num(r["rho"]) if r["rho"] is not None else f"— ({r['reason']})"
        rows.append(
            {
                "Spearman ρ with preference": criterion,
                f"ρ, {MEASURED}": measured,
                "votes": r["n"],
                f"ρ, {REPORTED}": f"{PAPER_RHO[criterion]:+.2f}",
            }
        )
    return pd.DataFrame(rows)


def proxy_frame(result: dict) -> pd.DataFrame:
    sides = result["sides"]
    rows = [
        {"Proxy": label, **{role.title(): _num(sides[role]["proxies"].get(key), 3) for role in ROLES}, "Source": PROXY}
        for key, label in PROXY_ROWS
    ]
    return pd.DataFrame(rows)


def proxy_figure(result: dict) -> go.Figure:
    fig = go.Figure()
    for role, colour in SIDE_COLOURS.items():
        proxies = result["sides"][role]["proxies"]
        keys = [k for k, _ in PROXY_ROWS if proxies.get(k) is not None]
        fig.add_bar(x=keys, y=[proxies[k] for k in keys], name=role, marker_color=colour)
    fig.update_layout(
        title="Originality proxies per side (automatic, not human judgements)",
        barmode="group",
        height=340,
        margin={"t": 60, "b": 40},
    )
    return fig


def show_proxies(result: dict, key: str) -> None:
    st.markdown("##### Automatic originality proxies")
    st.dataframe(proxy_frame(result), hide_index=True, width="stretch")
    st.plotly_chart(proxy_figure(result), key=key)
    sides = result["sides"]
    st.caption(
        "Proxies, not human judgements: they count repeated words and measure how alike a side's poems are "
        f"(compared: {sides['base']['proxies'].get('pairs', '—')}). Embeddings: "
        f"{sides['base']['proxies'].get('embedding_note') or '—'}."
    )


def analysis_view(page: str, result: dict) -> None:
    """Win rates, Spearman ρ beside the paper's, and the proxies, for one stored run's poems."""
    include = st.checkbox(
        "Count repeated ratings (a rater's second vote on the same pair)", value=True, key=kept_key(page, "repeats")
    )
    try:
        rows = store().vote_rows(result["run_id"])
    except UnpredictError as exc:
        st.error(plain(exc))
        return
    votes = complete_votes(rows, include_repeats=include)
    raters = {r["rater"] for r in rows}
    repeats = len({r["vote_id"] for r in rows if r["repeat"]})
    st.markdown(f"##### Human votes, {MEASURED}")
    st.caption(
        f"{count(len(votes), 'vote')} by {count(len(raters), 'rater')} on this run's poems; "
        f"{count(repeats, 'repeat')} "
        f"{'counted' if include else 'left out'}. Each vote compares one base and one aligned poem, blind."
    )
    if votes:
        rates = win_rates(votes)
        st.dataframe(win_rate_frame(rates), hide_index=True, width="stretch")
        st.plotly_chart(win_rate_figure(rates), key=f"{page}.win_rates")
        st.dataframe(spearman_frame(spearman_with_preference(votes)), hide_index=True, width="stretch")
        show_beside(beside_votes(rates), key=f"{page}-paper")
    else:
        st.info("No votes on these poems yet: rate some pairs in **Rate (blind)** mode.")
    st.caption(
        f"{REPORTED.capitalize()} (720 pairwise judgements of Llama-3.1 70B poems, from secondary summaries): "
        f"{PAPER_FINDING}; ρ(originality, preference) = {PAPER_RHO['originality']:+.2f}, "
        f"ρ(pleasantness, preference) = {PAPER_RHO['pleasantness']:+.2f}."
    )
    show_proxies(result, f"{page}.proxies")
