"""Results: every stored run (also while a sweep is writing), filtered, charted, compared, exported."""

import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.results.table import results_frame
from unpredict_ui.resources import store
from unpredict_ui.results.browser import (
    delete_section,
    detail_and_compare,
    filter_widgets,
    flag_out_of_range,
    runs_table,
    score_chart,
)
from unpredict_ui.results.exports import export_section
from unpredict_ui.state import keep_widget_values
from unpredict_ui.text import count, plain

st.set_page_config(page_title="Results · unpredict", page_icon="🗂️", layout="wide")
keep_widget_values()
st.title("Results")
st.caption("Every run stored on this machine (measured here), including those a sweep is writing right now.")

try:
    db = store()
    filters = filter_widgets(db.run_facets())
    results = db.query_runs(**filters)
except UnpredictError as exc:
    st.error(plain(exc))
    st.stop()

if not results:
    st.info(
        "No stored run matches. Run an experiment, or a sweep: `python3 -m unpredict_core sweep sweeps/example.toml`."
    )
    st.stop()
frame = results_frame(results)
st.markdown(f"**{count(len(results), 'run')}** ({count(len(frame), 'row')}: one per side).")
flag_out_of_range(results)
runs_table(frame)
score_chart(frame)
export_section(frame, results)
detail_and_compare(results)
delete_section(db, results)
