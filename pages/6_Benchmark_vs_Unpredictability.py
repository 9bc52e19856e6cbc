"""Benchmark score (x) against an unpredictability score (y) measured here, with the paper's points."""

import pandas as pd
import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.paths import cache_dir, confined_file, reference_dir
from unpredict_core.results.benchmark_axis import BENCHMARK_EXPERIMENTS, default_x
from unpredict_core.results.leaderboard_table import load_table
from unpredict_core.results.scatter import (
    BENCHMARKS_CSV,
    available_axes,
    load_paper_points,
    point_rows,
    scatter_data,
    y_scores,
)
from unpredict_ui.resources import store
from unpredict_ui.results.scatter_chart import scatter_figure
from unpredict_ui.results.scatter_measure import measure_section
from unpredict_ui.sidebar import pick_pair
from unpredict_ui.state import kept_key
from unpredict_ui.text import plain

PAGE = "scatter"
st.set_page_config(page_title="Benchmark vs unpredictability · unpredict", page_icon="📈", layout="wide")
choice = pick_pair()
st.title("Benchmark score vs unpredictability")
st.markdown(
    "The paper found that models with better benchmark scores were worse at being unpredictable (its "
    "Figure 1, x = the Open LLM Leaderboard). By default x is **IFEval on the leaderboard's 0–100 scale**: "
    "the paper's ten Llama-3.1 models at their leaderboard IFEval (**reported**, hollow markers, each family "
    "joined stage by stage) and our pair at IFEval **measured here** (filled markers, with intervals). y is a "
    "score **measured here** (an exact run where a side has one, never averaged with sampled runs) beside "
    "the paper's **reported** y. Base ● blue, aligned ▼ red."
)

left, right = st.columns(2)
y_key = left.selectbox("Unpredictability score (y)", list(y_scores()), format_func=lambda k: y_scores()[k].label,
                       key=kept_key(PAGE, "y"))  # fmt: skip
table = st.text_input(
    "Benchmark table (CSV), for the sourced-table x", str(BENCHMARKS_CSV), key=kept_key(PAGE, "table")
)
try:
    results = store().query_runs(experiments=[*BENCHMARK_EXPERIMENTS, y_scores()[y_key].experiment])
    board = load_table()
    # a page may read only the shipped reference folder and the cache, never any path typed here
    axes = available_axes(results, confined_file(table, [reference_dir(), cache_dir()], "benchmark table"), board)
except UnpredictError as exc:
    st.error(plain(exc))
    st.stop()
x_keys = list(axes)
x_key = right.selectbox(
    "Benchmark score (x)", x_keys, index=x_keys.index(default_x(axes)), format_func=lambda k: axes[k].title,
    key=kept_key(PAGE, "x", *x_keys),
)  # fmt: skip
for problem in board.problems:
    st.warning(f"Leaderboard table: {plain(problem)} The row was skipped; the others are placed.")
measure_section(PAGE, choice, y_key, results)
data = scatter_data(results, axes[x_key], y_key, load_paper_points())
if data.untrusted:
    st.warning(
        f"{len(data.untrusted)} stored run(s) left out: their numbers fail the trust check (a probability outside "
        "[0, 1], a value that is not finite), so they are not drawn as measured here. Results flags them."
    )

if data.points or data.reference:
    st.plotly_chart(scatter_figure(data, axes[x_key].title), width="stretch", key=f"{PAGE}.figure")
else:
    st.info("Nothing to place yet: no model with both an x score and a stored run of this experiment.")
if data.unplaced or data.reference_unplaced:
    st.markdown("**Listed, not placed** (no x for them in this source: none is guessed)")
    rows = [{"model": p["model"], "side": p["role"], "y": p["y"], "provenance": p["provenance"], "why": p["why"]}
            for p in data.unplaced + data.reference_unplaced]  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
rows = pd.DataFrame(point_rows(data))
if not rows.empty:
    st.markdown("**Every point, with where its x and its y come from**")
    st.dataframe(rows, hide_index=True, width="stretch")
    st.download_button("Download the points (CSV)", rows.to_csv(index=False), f"scatter_{y_key}.csv", "text/csv")
with st.expander("Where x can come from"):
    st.markdown(
        "- **IFEval on the leaderboard's scale** (default): the paper's models at their Open LLM Leaderboard v2 "
        "IFEval score from the shipped `leaderboard_scores.csv` (where a model has two entries, the bfloat16 "
        "one; the other is named in the point's source); ours at IFEval measured here, 100 × mean of "
        "prompt- and instruction-level strict accuracy, over the prompts checkable here.\n"
        "- **Open LLM Leaderboard v2 columns** (`oll:`): the average or any sub-score from the same table.\n"
        "- **IFEval or IFBench, measured here**: the run of that model (same prompt format) with the most "
        "prompts; its source names the run, the counts and the 95 % interval.\n"
        f"- **Sourced table**: `{BENCHMARKS_CSV.name}` in the reference folder, or a table named above that lies in "
        f"{plain(reference_dir())} or {plain(cache_dir())}; a score needs its source, and n/a is written where "
        "none is published.\n"
        "- **Open LLM Leaderboard v2 (local copy)**: offered when the `open-llm-leaderboard/contents` "
        "dataset is in the local Hugging Face cache; nothing is downloaded."
    )
