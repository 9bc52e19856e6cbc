"""Talk mode (`?talk=1` on the home page, or its toggle): large type, no sidebar, one button.

The canned demo runs the default pair through random integers (exact) and a short
rock-paper-scissors game against the greedy adversary; a second button places the pair on the
paper's Figure 1 (IFBench measured here against χ²). All are ordinary cached runs, so a demo
rehearsed once before the talk answers instantly on stage, and nothing needs a network.
"""

from __future__ import annotations

import streamlit as st

from unpredict_core.backends.models import DEFAULT_PAIR
from unpredict_core.errors import UnpredictError
from unpredict_core.experiments import random_integers
from unpredict_core.experiments.games import rps
from unpredict_core.results.scatter import available_axes, load_paper_points, measurement_plan, scatter_data
from unpredict_core.runs import BackendLoader, run_experiment
from unpredict_ui.games.charts import net_score_figure, rps_round_score
from unpredict_ui.random_integers.charts import distribution_figure, shared_y_max
from unpredict_ui.resources import backends, store
from unpredict_ui.results.scatter_chart import scatter_figure
from unpredict_ui.text import plain

QUERY_KEY = "talk"
DEMO_PAIR = DEFAULT_PAIR  # tests swap in a scripted pair
DEMO_ROUNDS = 10
RESULT_KEY = "talk.demo"
FIGURE_KEY = "talk.figure"
FIGURE_Y = "chi2"
ROLE_TITLE = {"base": "Base model", "aligned": "Aligned model"}
LARGE_TYPE = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] {display: none;}
.stMarkdown p, .stMarkdown li, .stButton button p {font-size: 1.6rem !important;}
h1 {font-size: 3.4rem !important;}
h2, h3 {font-size: 2.4rem !important;}
[data-testid="stMetricValue"] {font-size: 3.6rem !important;}
[data-testid="stMetricLabel"] p {font-size: 1.5rem !important;}
</style>
"""


def talk_requested() -> bool:
    return st.query_params.get(QUERY_KEY) == "1"


def talk_toggle() -> None:
    """The home page's switch into talk mode (the same as opening it with ?talk=1)."""
    if st.toggle("Talk mode: large type and a one-click demo", key="talk.toggle"):
        st.query_params[QUERY_KEY] = "1"
        st.rerun()


def demo_loader() -> BackendLoader:
    return backends()


def run_demo(progress) -> dict[str, dict]:
    """Both demo runs (from the cache when rehearsed)."""
    db, load = store(), demo_loader()
    integers = run_experiment(
        random_integers.NAME, DEMO_PAIR, random_integers.Params(mode="exact"), store=db, load=load,
        progress=lambda f, m: progress(0.5 * f, m),
    )  # fmt: skip
    game = run_experiment(
        rps.NAME, DEMO_PAIR, rps.Params(adversary="greedy", rounds=DEMO_ROUNDS, seed=0), store=db, load=load,
        progress=lambda f, m: progress(0.5 + 0.5 * f, m),
    )  # fmt: skip
    return {"integers": integers, "rps": game}


def _show(demo: dict[str, dict]) -> None:
    integers, game = demo["integers"], demo["rps"]
    st.header("1 · Pick a random number from 0 to 10")
    y_max = shared_y_max([p for side in integers["sides"].values() for p in side["answers"].values()])
    for column, (role, side) in zip(st.columns(2), integers["sides"].items()):
        with column:
            st.subheader(ROLE_TITLE[role])
            st.caption(plain(side["model"]))
            st.metric("P(7)", f"{side['metrics']['p7']:.0%}")
            st.plotly_chart(distribution_figure(side, "", y_max), width="stretch", key=f"talk.dist.{role}")
    st.header(f"2 · Rock-paper-scissors against an adversary ({DEMO_ROUNDS} rounds)")
    for column, (role, side) in zip(st.columns(2), game["sides"].items()):
        column.metric(f"{ROLE_TITLE[role]}: net score", f"{side['net_score']:+.0f}", help="0 = unbeatable uniform play")
    st.plotly_chart(net_score_figure(game["sides"], rps_round_score, "0 = uniform play"), key="talk.net")
    st.caption(f"Measured here on this machine. {DEMO_PAIR.note}")


def run_figure_step(progress) -> None:
    """IFBench and random integers on the demo pair: what the Figure 1 step draws."""
    db, load, plan = store(), demo_loader(), measurement_plan(FIGURE_Y)
    for index, (experiment, params) in enumerate(plan):
        run_experiment(
            experiment, DEMO_PAIR, params, store=db, load=load,
            progress=lambda f, m, i=index: progress((i + f) / len(plan), m),
        )  # fmt: skip


def _show_figure() -> None:
    results = store().query_runs(experiments=["ifbench", "random-integers"], pairs=[DEMO_PAIR.name])
    axes = available_axes(results)
    data = scatter_data(results, axes["ifbench:instruction_strict"], FIGURE_Y, load_paper_points())
    if data.points:
        st.plotly_chart(scatter_figure(data, axes["ifbench:instruction_strict"].title), key="talk.scatter")
        st.caption("x and y measured here; the paper's models are not on this figure (not measured here).")


def _figure_step() -> None:
    st.header("3 · Better at benchmarks, worse at randomness? (the paper's Figure 1)")
    if st.button("▶  Place the pair on the figure", key="talk.figure.run"):
        bar = st.progress(0.0, text="Starting…")
        try:
            run_figure_step(lambda f, m: bar.progress(min(1.0, max(0.0, f)), text=m))
            st.session_state[FIGURE_KEY] = True
        except UnpredictError as exc:
            st.error(str(exc))
        finally:
            bar.empty()
    if st.session_state.get(FIGURE_KEY):
        _show_figure()


def render_talk() -> None:
    st.markdown(LARGE_TYPE, unsafe_allow_html=True)
    st.title("Base vs aligned: who is more unpredictable?")
    if st.button("▶  Run the demo", type="primary", key="talk.run"):
        bar = st.progress(0.0, text="Starting…")
        try:
            st.session_state[RESULT_KEY] = run_demo(lambda f, m: bar.progress(min(1.0, max(0.0, f)), text=m))
        except UnpredictError as exc:
            st.error(plain(exc))
        finally:
            bar.empty()
    demo = st.session_state.get(RESULT_KEY)
    if demo:
        _show(demo)
        _figure_step()
    else:
        st.markdown(f"One click runs **{DEMO_PAIR.base.label}** (base) and **{DEMO_PAIR.aligned.label}** (aligned).")
    if st.button("Leave talk mode", key="talk.leave"):
        st.query_params.pop(QUERY_KEY, None)
        st.session_state["talk.toggle"] = False
        st.rerun()
