"""The Results page's parts: filters, the table of runs, a chart of one score, export, one run in
full, a comparison of two runs, and deletion. Queries are the store's; this module only draws."""

from __future__ import annotations

import html
import io
from datetime import datetime

import pandas as pd
import plotly.express as px
import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.paths import exports_dir
from unpredict_core.results.table import (
    compare_runs,
    export_to_exports_folder,
    for_export,
    out_of_range,
    parse_param_filter,
)
from unpredict_core.store.database import Store
from unpredict_ui.running import show_scoring_notes
from unpredict_ui.state import kept_key
from unpredict_ui.text import plain
from unpredict_ui.views import view_for

PAGE = "results"
SHOWN = ["run_id", "experiment", "pair", "side", "model", "format", "coverage", "params", "created_at"]


def filter_widgets(facets: dict[str, list[str]]) -> dict:
    """The filters the user set, as keyword arguments of `Store.query_runs`."""
    a, b, c, d = st.columns(4)
    experiments = a.multiselect("Experiment", facets["experiments"], key=kept_key(PAGE, "experiments"))
    pairs = b.multiselect("Pair", facets["pairs"], key=kept_key(PAGE, "pairs"))
    model = c.text_input("Model contains", key=kept_key(PAGE, "model"), help="Either side's model, any case.")
    text = d.text_input("Parameters", key=kept_key(PAGE, "params"), placeholder="seed=0, mode=exact")
    return {"experiments": experiments, "pairs": pairs, "model": model.strip(), "params": parse_param_filter(text)}


def flag_out_of_range(results: list[dict]) -> None:
    """Say which stored runs hold impossible numbers (NaN, a probability above 1), before any chart."""
    flagged = {r["run_id"]: problems for r in results if (problems := out_of_range(r))}
    if flagged:
        listed = ", ".join(f"{run_id} ({problems[0]})" for run_id, problems in list(flagged.items())[:5])
        st.warning(
            plain(f"{len(flagged)} stored run(s) hold numbers out of range and should not be trusted: {listed}.")
        )


def runs_table(frame: pd.DataFrame) -> None:
    scores = [c for c in frame.columns if c.startswith("score.")]
    st.dataframe(frame[SHOWN + scores], hide_index=True, width="stretch")


def score_chart(frame: pd.DataFrame) -> None:
    """One score per run and side (plotly's toolbar downloads the chart; the button, its data)."""
    scores = sorted(c.removeprefix("score.") for c in frame.columns if c.startswith("score."))
    if not scores:
        return
    score = st.selectbox("Score to chart", scores, key=kept_key(PAGE, "score"))
    data = frame.dropna(subset=[f"score.{score}"])
    # plotly renders HTML in hover labels: stored pair and model names go in escaped
    hover = data.assign(pair=data["pair"].map(html.escape), model=data["model"].astype(str).map(html.escape))
    fig = px.bar(
        hover, x="run_id", y=f"score.{score}", color="side", barmode="group", hover_data=["experiment", "pair", "model"]
    )
    fig.update_layout(height=340, margin={"l": 10, "r": 10, "t": 40, "b": 10}, title=f"{score} per run (measured here)")
    st.plotly_chart(fig, width="stretch", key=f"{PAGE}.chart")
    csv = data[["run_id", "experiment", "pair", "side", "model", f"score.{score}"]].to_csv(index=False)
    st.download_button("Download this chart's data (CSV)", csv, f"{score}.csv", "text/csv", key=f"{PAGE}.chart_csv")


def export_section(frame: pd.DataFrame) -> None:
    """Exports go to the browser, or into the one exports folder under the cache, never over an
    existing file: a page must not be able to write anywhere else on this machine."""
    with st.expander("Export the selection (CSV and Parquet)"):
        left, right = st.columns(2)
        left.download_button(
            "Download the selection (CSV)", frame.to_csv(index=False), "runs.csv", "text/csv", key=f"{PAGE}.download"
        )
        right.download_button(
            "Download the selection (Parquet)",
            _parquet_bytes(frame),
            "runs.parquet",
            "application/octet-stream",
            key=f"{PAGE}.download_parquet",
        )
        default = st.session_state.setdefault(f"{PAGE}.export_default", f"runs-{datetime.now():%Y%m%d-%H%M%S}")
        name = st.text_input(
            "Or write a file into the exports folder: its name (without extension)",
            default,
            key=kept_key(PAGE, "export_name"),
            help="Letters, digits, '.', '-' and '_' only; an existing file is never replaced.",
        )
        st.caption("Exports folder:")
        st.code(str(exports_dir()), language=None)
        left, right = st.columns(2)
        for column, fmt in ((left, "csv"), (right, "parquet")):
            if column.button(f"Write {fmt.upper()}", key=f"{PAGE}.export.{fmt}"):
                try:
                    path = export_to_exports_folder(frame, name, fmt)
                    st.success(f"Wrote {len(frame)} rows to {plain(str(path))}")
                except UnpredictError as exc:
                    st.error(plain(str(exc)))


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    for_export(frame).to_parquet(buffer, index=False)
    return buffer.getvalue()


def show_run(result: dict) -> None:
    """One run in full, drawn by its experiment's own view when there is one."""
    view = view_for(result["experiment"])
    problems = out_of_range(result)
    if problems:
        st.error(plain(f"This stored run holds numbers no measurement can give ({'; '.join(problems[:5])}). Do not "
                       "trust it: delete it below and run it again."))  # fmt: skip
    show_scoring_notes(result)
    if view is None:
        st.json(result, expanded=False)
    else:
        view(result | {"cached": True})


def _label(result: dict) -> str:
    params = ", ".join(f"{k}={v}" for k, v in result.get("params", {}).items())
    return f"{result['run_id']} · {result['experiment']} · {result['pair']} · {params}"


def detail_and_compare(results: list[dict]) -> None:
    by_id = {r["run_id"]: r for r in results}
    st.subheader("One run")
    chosen = st.selectbox("Run", list(by_id), format_func=lambda i: _label(by_id[i]), key=kept_key(PAGE, "run"))
    if chosen:
        show_run(by_id[chosen])
    st.subheader("Compare two runs")
    picked = st.multiselect(
        "Pick two runs",
        list(by_id),
        format_func=lambda i: _label(by_id[i]),
        max_selections=2,
        key=kept_key(PAGE, "pair2"),
    )
    if len(picked) == 2:
        rows = pd.DataFrame(compare_runs(by_id[picked[0]], by_id[picked[1]]))
        only = st.checkbox("Only what differs", True, key=kept_key(PAGE, "differs"))
        shown = rows[rows["differs"]] if only else rows
        st.dataframe(shown.astype({"run A": str, "run B": str}), hide_index=True, width="stretch")


def delete_section(db: Store, results: list[dict]) -> None:
    with st.expander("Delete runs"):
        ids = [r["run_id"] for r in results]
        doomed = st.multiselect("Runs to delete", ids, key=f"{PAGE}.delete.ids")
        sure = st.checkbox("Yes, delete them and all their rows", key=f"{PAGE}.delete.sure")
        if st.button("Delete", type="primary", disabled=not (doomed and sure), key=f"{PAGE}.delete.go"):
            try:
                st.session_state[f"{PAGE}.deleted"] = db.delete_runs(doomed)
            except UnpredictError as exc:
                st.error(plain(exc))
                return
            for key in (f"{PAGE}.delete.ids", f"{PAGE}.delete.sure"):
                st.session_state.pop(key, None)
            st.rerun()
        if st.session_state.get(f"{PAGE}.deleted"):
            st.success(f"Deleted {st.session_state.pop(f'{PAGE}.deleted')} run(s).")
