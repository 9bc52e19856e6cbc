"""The bodies of talk mode's slides: each draws its stored runs at projector size, with the paper's
number beside ours (see unpredict_ui.talk for the frame, the steps and the rehearsal)."""

from __future__ import annotations

import io
import random

import plotly.graph_objects as go
import segno
import streamlit as st

from unpredict_core.backends.models import ModelPair
from unpredict_core.errors import UnpredictError
from unpredict_core.experiments.poetry.metrics import complete_votes, win_rates
from unpredict_core.experiments.poetry.votes import InvalidVote, draw_pair
from unpredict_core.results.benchmark_axis import BENCHMARK_EXPERIMENTS
from unpredict_core.results.figure_line import figure_line
from unpredict_core.results.paper_beside import beside_result, beside_votes
from unpredict_core.results.scatter import available_axes, load_paper_points, scatter_data, y_scores
from unpredict_core.talk_rehearsal import FIGURE_Y, SLIDE_KEYS, slide_results
from unpredict_ui.games.charts import found_rate_figure, net_score_figure, rps_round_score
from unpredict_ui.paper import measured_values, paper_values, show_clauses
from unpredict_ui.poetry.audience import audience_url, is_local
from unpredict_ui.random_integers.charts import distribution_figure, shared_y_max
from unpredict_ui.resources import store
from unpredict_ui.results.scatter_chart import scatter_figure, wants_log_y
from unpredict_ui.talk import demo_loader, missing_slide
from unpredict_ui.text import plain

ROLE_TITLE = {"base": "Base", "aligned": "Aligned"}
FIGURE_Y_EXPERIMENT = y_scores()[FIGURE_Y].experiment
CHART_HEIGHT = 320


def stage_figure(fig: go.Figure, height: int = CHART_HEIGHT) -> go.Figure:
    """A chart at projector size: fixed height, 18–22 px text on titles, ticks and legends."""
    fig.update_layout(height=height, font={"size": 18}, title_font_size=22, legend_font_size=18,
                      title_subtitle_font_size=16, margin={"l": 10, "r": 10, "t": 80, "b": 10})  # fmt: skip
    fig.update_xaxes(tickfont_size=18, title_font_size=18)
    fig.update_yaxes(tickfont_size=18, title_font_size=18)
    if fig.layout.legend and fig.layout.showlegend is not False:
        fig.update_layout(legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1.0, "xanchor": "right"})
    return fig


def beside_strip(beside) -> None:
    """The paper and our numbers in two lines, then each clause of the paper's finding judged."""
    if beside is None:
        return
    with st.container(border=True):
        st.markdown(f"**Paper** ({beside.claim.metric}): {paper_values(beside)} · **here**: {measured_values(beside)}")
        st.caption(plain(f"Paper: {beside.paper_source}. {beside.claim.scale_note}".strip()))
        show_clauses(beside)


def _title(pair: ModelPair) -> None:
    st.markdown(
        f"- **Base:** {plain(pair.base.label)}\n- **Aligned:** {plain(pair.aligned.label)}\n"
        "- Random numbers, rock-paper-scissors, hide-and-seek, poems rated blind, and the paper's Figure 1\n"
        "- Every number is **measured here**, beside what **the paper reported** (West & Potts, arXiv 2505.00047)"
    )
    if pair.note:
        st.caption(plain(pair.note))
    _rehearsal_status(pair)


def _rehearsal_status(pair: ModelPair) -> None:
    """Which slides are stored for this pair, so the presenter knows before stepping on."""
    try:
        missing = [k for k in SLIDE_KEYS[1:] if None in slide_results(k, pair, store(), demo_loader())]
    except UnpredictError as exc:
        st.error(plain(exc))
        return
    if missing:
        st.warning(
            f"Not rehearsed: {', '.join(missing)}. Run `python -m unpredict_core warm --talk --pair "
            f"{plain(pair.name)}` before the talk."
        )
    else:
        st.caption(f"All {len(SLIDE_KEYS) - 1} slides are rehearsed: every number below comes from the store.")


def _integers(result: dict) -> None:
    sides = result["sides"]
    y_max = shared_y_max([p for side in sides.values() for p in side["answers"].values()])
    for column, (role, side) in zip(st.columns(2), sides.items()):
        with column:
            metrics = side["metrics"]
            with st.container(key=f"talk-oneline-{role}"):  # a long name is cut, so both charts line up
                st.caption(f"{ROLE_TITLE[role]}: {plain(side['model'])}")
            title = f"P(7) {metrics['p7']:.1%} · coverage {side['coverage']:.1%}"
            st.plotly_chart(stage_figure(distribution_figure(side, title, y_max)), key=f"talk.dist.{role}")
    beside_strip(beside_result(result))


def _game(result: dict, figure: go.Figure) -> None:
    st.caption(" · ".join(f"{ROLE_TITLE[r]}: {plain(s['model'])}" for r, s in result["sides"].items()))
    st.plotly_chart(stage_figure(figure, 310), key=f"talk.{result['experiment']}")
    beside_strip(beside_result(result))


def _qr(url: str) -> None:
    png = io.BytesIO()
    segno.make(url, error="m").save(png, kind="png", scale=5, border=2)
    st.image(png.getvalue(), width=190)
    st.caption(f"Vote: {plain(url)}")
    if is_local(url):
        st.caption("Localhost only: phones cannot reach it. See README, Audience mode.")


def _poem(result: dict) -> None:
    try:
        pair = draw_pair(result, random.Random(0))  # the same pair at every reload
    except InvalidVote as exc:
        st.error(plain(exc))
        return
    poems, qr = st.columns([5, 1.6])
    with poems:
        st.markdown(f"**Topic:** {plain(pair.topic)}")
        for column, (name, text) in zip(st.columns(2), (("A", pair.text_a), ("B", pair.text_b))):
            with column.container(border=True, height=300):
                st.markdown(f"**Poem {name}**")
                st.text(text)
    with qr:
        _qr(audience_url(result["run_id"]))
    votes = complete_votes(store().vote_rows(result["run_id"]))
    if votes:
        beside_strip(beside_votes(win_rates(votes)))
        st.caption(f"{len(votes):,} blind votes so far on these poems (measured here).")
    else:
        st.caption("Paper: base poems more original; aligned poems more pleasant and preferred. No votes here yet.")


def _figure(pair: ModelPair, results: list[dict]) -> None:
    """The paper's Figure 1: its ten models at their leaderboard IFEval (reported) and this pair at
    IFEval measured here, on one 0–100 axis, with the line this pair's own numbers support."""
    stored = store().query_runs(experiments=[*BENCHMARK_EXPERIMENTS, FIGURE_Y_EXPERIMENT], pairs=[pair.name])
    x = available_axes(stored)["ifeval"]
    data = scatter_data(stored, x, FIGURE_Y, load_paper_points())
    if not data.points and not data.reference:
        st.info("Nothing to draw: no IFEval run with a score for this pair.")
        return
    figure = stage_figure(scatter_figure(data, "IFEval, 0–100 (Open LLM Leaderboard scale)"), 420)
    log = " (log)" if wants_log_y(data) else ""
    legend = {"y": -0.3, "yanchor": "top", "x": 0.5, "xanchor": "center"}
    figure.update_layout(title=None, margin={"t": 10}, legend=legend)
    figure.update_yaxes(title={"text": f"χ² vs uniform, n = 1,500{log}", "font": {"size": 18}})
    st.plotly_chart(figure, key="talk.scatter")
    st.markdown(plain(figure_line(results)))
    tokens = results[0]["params"].get("max_new_tokens") if results and results[0] else None
    st.caption(f"Hollow: the paper's models (x reported by the leaderboard, y by the paper). Filled: this pair, "
               f"both axes measured here, with 95 % intervals; IFEval at {tokens} new tokens (the leaderboard "
               "allowed 1,280), so ours may read low.")  # fmt: skip


def _ladder() -> None:
    """The family view at projector size: the ladder's stages (measured here) beside the paper's
    Llama families (reported), for the random-integer χ²."""
    from unpredict_core.results.family_view import family_view
    from unpredict_ui.ladder import family_figure

    stored = store().query_runs(experiments=[FIGURE_Y_EXPERIMENT], pairs=["ladder-sft", "ladder-dpo"])
    view = family_view(stored, FIGURE_Y, load_paper_points())
    figure = stage_figure(family_figure(view, height=440, font=18), 440)
    figure.update_layout(title=None, margin={"t": 10}, legend={"y": -0.3, "yanchor": "top", "x": 0.5, "xanchor": "center"})
    st.plotly_chart(figure, key="talk.ladder")
    if not any(f["provenance"] == "measured here" for f in view["families"]):
        st.info(
            "The ladder has no stored run yet. Before the talk: `python -m unpredict_core ladder build`, then "
            "`python -m unpredict_core warm --talk --pair ladder-sft` and the same with `--pair ladder-dpo`."
        )
    st.caption("Filled, with 95 % intervals: the ladder, measured here. Hollow: the paper's Llama-3.1 families, "
               "reported. χ² vs uniform of the number 0–10 the model picks (n = 1,500 draws).")  # fmt: skip


def show_slide(key: str, pair: ModelPair) -> None:
    if key == "title":
        _title(pair)
        return
    if key == "ladder":
        _ladder()
        return
    try:
        results = slide_results(key, pair, store(), demo_loader())
    except UnpredictError as exc:
        st.error(plain(exc))
        return
    if any(r is None for r in results):
        missing_slide(key, pair)
        return
    damaged = [r for r in results if r.get("trust_problems")]
    if damaged:
        why = "; ".join(damaged[0]["trust_problems"][:2])
        st.warning(
            f"This slide's stored run {damaged[0]['run_id']} fails the trust check ({plain(why)}), "
            "so it is not shown as measured here. Delete it in Results and rehearse again: "
            f"`python -m unpredict_core warm --talk --pair {pair.name}`."
        )
        return
    if key == "integers":
        _integers(results[0])
    elif key == "rps":
        _game(results[0], net_score_figure(results[0]["sides"], rps_round_score, "0 = uniform play"))
    elif key == "hide":
        spots = results[0]["params"]["spots"]
        _game(results[0], found_rate_figure(results[0]["sides"], spots))
    elif key == "poem":
        _poem(results[0])
    else:
        _figure(pair, results)
