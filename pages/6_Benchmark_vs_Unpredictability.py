"""Benchmark score (x) against an unpredictability score (y) measured here, with the paper's points."""

import pandas as pd
import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.paths import cache_dir, confined_file, reference_dir
from unpredict_core.scatter import BENCHMARKS_CSV, Y_SCORES, load_benchmarks, load_paper_points, scatter_data
from unpredict_ui.resources import store
from unpredict_ui.scatter_chart import scatter_figure
from unpredict_ui.state import keep_widget_values, kept_key
from unpredict_ui.text import plain

PAGE = "scatter"
st.set_page_config(page_title="Benchmark vs unpredictability · unpredict", page_icon="📈", layout="wide")
keep_widget_values()
st.title("Benchmark score vs unpredictability")
st.markdown(
    "The paper found that models with better benchmark scores were worse at being unpredictable. Here each "
    "model's benchmark score (x, from a sourced table you can edit) is set against a score **measured here** "
    "(y, the mean over its stored runs); base ●, aligned ▼, a line joins the two sides of a pair. The paper's "
    "own numbers are a separate layer, **reported by the paper** (secondary summaries)."
)

y_key = st.selectbox("Unpredictability score (y)", list(Y_SCORES), format_func=lambda k: Y_SCORES[k].label,
                     key=kept_key(PAGE, "y"))  # fmt: skip
table = st.text_input("Benchmark table (CSV)", str(BENCHMARKS_CSV), key=kept_key(PAGE, "table"))
try:
    # a page may read only the shipped reference folder and the cache, never any path typed here
    benchmarks = load_benchmarks(confined_file(table, [reference_dir(), cache_dir()], "benchmark table"))
    experiment = Y_SCORES[y_key].experiment
    data = scatter_data(store().query_runs(experiments=[experiment]), benchmarks, y_key, load_paper_points())
except UnpredictError as exc:
    st.error(plain(exc))
    st.stop()

x_title = next(iter({b.benchmark for b in benchmarks.values()}), "benchmark score")
if data.points or data.reference:
    st.plotly_chart(scatter_figure(data, x_title), width="stretch", key=f"{PAGE}.figure")
else:
    st.info("Nothing to place yet: no model with both a benchmark score and a stored run of this experiment.")
if data.unplaced or data.reference_unplaced:
    st.markdown("**Listed, not placed** (no sourced benchmark score: none is guessed)")
    rows = [{"model": p["model"], "y": p["y"], "provenance": p["provenance"], "why": p.get("why", "no benchmark score")}
            for p in data.unplaced + data.reference_unplaced]  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
points = pd.DataFrame(data.points + data.reference + data.unplaced + data.reference_unplaced)
if not points.empty:
    st.download_button("Download the points (CSV)", points.to_csv(index=False), f"scatter_{y_key}.csv", "text/csv")
with st.expander("The benchmark table"):
    st.dataframe(pd.DataFrame([vars(b) for b in benchmarks.values()]), hide_index=True, width="stretch")
    st.caption(
        f"Edit {plain(BENCHMARKS_CSV)} (or give another file above, in {plain(reference_dir())} or "
        f"{plain(cache_dir())}): a score needs its source; "
        "write n/a when none is published."
    )
