"""The alignment dial: a mixed side between base and aligned, at one α or swept over α.

Charts are pure functions of results (testable without Streamlit); the page calls `dial_section`.
Base is blue and aligned red as on every page; the mixed side between them is drawn in purple.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from unpredict_core.backends.mixture import ALPHA, CLAIMS, KINDS, TITLES
from unpredict_core.dial import DIAL_ALPHAS, run_with_mixed
from unpredict_core.errors import UnpredictError
from unpredict_core.experiments import random_integers as ri
from unpredict_core.experiments.games import rps
from unpredict_core.progress import scaled
from unpredict_ui.colours import SIDE_COLOURS
from unpredict_ui.resources import backends, store
from unpredict_ui.sidebar import PairChoice
from unpredict_ui.text import plain

log = logging.getLogger(__name__)
MIXED = "#8E6BB8"
COLOURS = SIDE_COLOURS | {"mixed": MIXED}
MIX_CHOICES = ("auto", *KINDS)
DIAL_ROUNDS = 10  # rock-paper-scissors rounds per α by default: a sweep plays the game 2 + 5 times


@dataclass(frozen=True)
class DialScore:
    """One unpredictability score read from one experiment's side (higher: less predictable)."""

    key: str
    experiment: str
    title: str
    axis: str
    read: Callable[[dict], float]


SCORES = (
    DialScore(
        "entropy",
        ri.NAME,
        "Random integers 0–10: entropy of the answer",
        "bits (uniform: 3.46)",
        lambda side: side["metrics"]["entropy_bits"],
    ),
    DialScore(
        "rps_net",
        rps.NAME,
        "Rock-paper-scissors: net score against the adversary",
        "net score (0 = uniform play)",
        lambda side: side["net_score"],
    ),
)


def loader():
    """The model loader the dial runs with (the dashboard's shared one; tests put scripted models here)."""
    return backends()


def dial_params(rounds: int, seed: int) -> dict[str, object]:
    return {ri.NAME: ri.Params(mode="exact", seed=seed), rps.NAME: rps.Params(rounds=rounds, seed=seed)}


def run_dial(
    choice: PairChoice, params: dict, alphas: Sequence[float], mix: str, report: Callable[[float, str], None]
) -> list[dict]:
    """Every (experiment, α) result with its mixed side, each from the cache when it can be."""
    results, steps = [], [(name, alpha) for name in params for alpha in alphas]
    for index, (name, alpha) in enumerate(steps):
        part = scaled(report, index / len(steps), (index + 1) / len(steps))
        part(0.0, f"{name} at α={alpha:g} ({index + 1}/{len(steps)})")
        results.append(
            run_with_mixed(
                name,
                choice.pair,
                params[name],
                alpha=alpha,
                mix=mix,
                store=store(),
                load=loader(),
                formats=choice.formats,
                progress=part,
            )
        )
    return results


def dial_points(results: Sequence[dict], score: DialScore) -> list[dict]:
    """(α, value) of the mixed side for `score`, sorted by α, with the kind each point used."""
    points = [
        {"alpha": r["mixed"]["alpha"], "value": float(score.read(r["sides"]["mixed"])), "kind": r["mixed"]["mixture"]}
        for r in results
        if r["experiment"] == score.experiment
    ]
    return sorted(points, key=lambda p: p["alpha"])


def dial_figure(results: Sequence[dict], score: DialScore) -> go.Figure:
    """The score of the mixed side against α, with the base and aligned sides at 0 and 1."""
    points = dial_points(results, score)
    fig = go.Figure()
    kinds = sorted({p["kind"] for p in points})
    fig.add_trace(
        go.Scatter(
            x=[p["alpha"] for p in points],
            y=[p["value"] for p in points],
            mode="lines+markers",
            name=f"mixed ({', '.join(TITLES[k] for k in kinds)})",
            line={"color": MIXED, "width": 3},
            marker={"size": 10},
            hovertemplate="α=%{x}<br>%{y:.4g} (measured here)<extra></extra>",
        )
    )
    first = next((r for r in results if r["experiment"] == score.experiment), None)
    if first is not None:
        for role, at in (("base", 0.0), ("aligned", 1.0)):
            fig.add_trace(
                go.Scatter(
                    x=[at],
                    y=[float(score.read(first["sides"][role]))],
                    mode="markers",
                    name=f"{role} side alone",
                    marker={"color": COLOURS[role], "size": 16, "symbol": "diamond", "line": {"width": 1}},
                    hovertemplate=f"{role}: %{{y:.4g}} (measured here)<extra></extra>",
                )
            )
    fig.update_layout(
        title={"text": score.title, "subtitle": {"text": "measured here · α: 0 = base, 1 = aligned"}},
        xaxis={"title": "α (weight of the aligned side)", "range": [-0.05, 1.05]},
        yaxis={"title": score.axis},
        height=420,
        font={"size": 14},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 10, "r": 10, "t": 70, "b": 90},
    )
    return fig


def kind_lines(results: Sequence[dict]) -> list[str]:
    """One line per mixture kind used: what it is and what it can claim."""
    kinds = dict.fromkeys(r["mixed"]["mixture"] for r in results)
    return [f"**Mixture: {TITLES[k]}.** {CLAIMS[k][0].upper() + CLAIMS[k][1:]}." for k in kinds]


def score_table(results: Sequence[dict]) -> list[dict]:
    rows = []
    for r in results:
        score = next(s for s in SCORES if s.experiment == r["experiment"])
        row = {"experiment": score.title, "α": r["mixed"]["alpha"], "mixture": TITLES[r["mixed"]["mixture"]]}
        row |= {role: round(float(score.read(r["sides"][role])), 4) for role in ("base", "mixed", "aligned")}
        rows.append(row | {"source": "measured here" + (" (cached)" if r.get("cached") else "")})
    return rows


def _guarded(work: Callable[[], list[dict]]) -> list[dict] | None:
    bar = st.progress(0.0, text="Starting…")
    try:
        return work(lambda f, m: bar.progress(min(1.0, max(0.0, f)), text=m))
    except UnpredictError as exc:
        st.error(plain(exc))
    except Exception as exc:  # a bug: the log keeps the traceback, the page a readable line
        log.exception("dial run failed")
        st.error(f"Unexpected error ({type(exc).__name__}): {plain(exc)}. The details are in the server log.")
    finally:
        bar.empty()
    return None


def dial_section(page: str, choice: PairChoice, rounds: int, seed: int) -> None:
    """The mixture choice, the α slider with its run, the α sweep, and what they measured."""
    mix = st.selectbox(
        "Mixture",
        MIX_CHOICES,
        format_func=lambda k: "auto (what the pair allows)" if k == "auto" else TITLES[k],
        key=f"{page}.mix",
    )
    alpha = st.slider(
        "α (0 = base, 1 = aligned)",
        float(ALPHA.min),
        float(ALPHA.max),
        0.5,
        0.05,
        key=f"{page}.alpha",
        help=ALPHA.help[:1].upper() + ALPHA.help[1:] + ".",
    )
    params = dial_params(rounds, seed)
    settings = {
        "pair": choice.pair.name if choice.pair else None,
        "formats": choice.formats,
        "mix": mix,
        "rounds": rounds,
        "seed": seed,
    }
    if not choice.ready:
        st.warning("The dial is off until both models of the pair can be loaded here: see the sidebar.")
    one, sweep = st.columns(2)
    if one.button(f"Run at α={alpha:g}", key=f"{page}.one", disabled=not choice.ready):
        found = _guarded(lambda report: run_dial(choice, params, [alpha], mix, report))
        if found is not None:
            st.session_state[f"{page}.one.result"] = {"results": found, "settings": settings | {"alpha": alpha}}
    if sweep.button(
        "Sweep α over " + ", ".join(f"{a:g}" for a in DIAL_ALPHAS),
        type="primary",
        key=f"{page}.sweep",
        disabled=not choice.ready,
    ):
        found = _guarded(lambda report: run_dial(choice, params, DIAL_ALPHAS, mix, report))
        if found is not None:
            st.session_state[f"{page}.sweep.result"] = {"results": found, "settings": settings}
    _show(page, settings, alpha)


def _show(page: str, settings: dict, alpha: float) -> None:
    one = st.session_state.get(f"{page}.one.result")
    if one is not None:
        st.markdown(f"#### At α={one['settings']['alpha']:g}")
        _stale(one["settings"], settings | {"alpha": alpha})
        for line in kind_lines(one["results"]):
            st.markdown(line)
        st.dataframe(score_table(one["results"]), hide_index=True)
    swept = st.session_state.get(f"{page}.sweep.result")
    if swept is None:
        st.info("Press **Sweep α** to draw each unpredictability score against α (each α is cached).")
        return
    st.markdown("#### Unpredictability against α")
    _stale(swept["settings"], settings)
    for line in kind_lines(swept["results"]):
        st.markdown(line)
    for column, score in zip(st.columns(len(SCORES)), SCORES):
        column.plotly_chart(dial_figure(swept["results"], score), key=f"{page}.chart.{score.key}")
    st.caption(
        "On the Benchmark vs Unpredictability page, a pair whose mixed sides also have an IFBench run "
        "(`run ifbench --alpha A`, which needs a token mixture or weight interpolation: the answer mixture "
        "writes no free text) is drawn as a dotted path from base through each α to aligned."
    )
    with st.expander("Every number of the sweep"):
        st.dataframe(score_table(swept["results"]), hide_index=True)


def _stale(kept: dict, now: dict) -> None:
    if kept != now:
        st.info("The settings have changed since this was measured: run again to update it.")
