"""The Results page's parts: filters, the table of runs, a chart of one score, one run in full, a
comparison of two runs, and deletion (export: exports.py; every item of a run: drilldown.py).
Queries are the store's; this module only draws."""

from __future__ import annotations

import html

import pandas as pd
import plotly.express as px
import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.results.labels import DEPENDS_ON_N, default_score, format_number, run_title, short_model
from unpredict_core.results.table import compare_runs, parse_param_filter
from unpredict_core.store.database import Store
from unpredict_core.trust import out_of_range
from unpredict_ui.colours import SIDE_COLOURS
from unpredict_ui.results.drilldown import show_items
from unpredict_ui.running import show_scoring_notes
from unpredict_ui.state import kept_key
from unpredict_ui.text import count, plain
from unpredict_ui.views import view_for

PAGE = "results"
SHOWN = ["run", "pair", "side", "model", "basis", "coverage", "params", "run_id"]


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
            plain(f"{count(len(flagged), 'stored run')} hold numbers out of range and should not be trusted: {listed}.")
        )


def runs_table(frame: pd.DataFrame) -> None:
    """One row per run and side, named by what the run was; numbers rounded for reading."""
    scores = [c for c in frame.columns if c.startswith("score.")]
    shown = frame[SHOWN + scores].copy()
    shown[scores] = shown[scores].round(4)
    config = {c: st.column_config.NumberColumn(c.removeprefix("score.")) for c in scores}
    config["coverage"] = st.column_config.NumberColumn("coverage", format="percent")
    config["basis"] = st.column_config.TextColumn("rests on", help="exact, or sampled with its n, or its rounds")
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)


def _bar_labels(data: pd.DataFrame) -> pd.Series:
    """The x of each bar: the pair's models and the run's parameters, never a hash (HTML-escaped,
    since plotly renders tags in tick labels)."""
    labels = {}
    for run_id, rows in data.groupby("run_id", sort=False):
        models = " vs ".join(short_model(m) for m in rows.sort_values("side", key=lambda s: s != "base")["model"])
        first = rows.iloc[0]
        when = str(first["created_at"])[5:16].replace("T", " ")
        text = f"{html.escape(models)}<br>{html.escape(first['params'])}<br>{when}"
        while text in labels.values():
            text += " ·"
        labels[run_id] = text
    return data["run_id"].map(labels)


def plain_title(text: str) -> str:
    return html.escape(text)  # plotly renders tags in titles


def score_chart(frame: pd.DataFrame) -> None:
    """One score per run and side, base and aligned in their colours. A score that grows with the
    number of answers (χ²) is charted in one panel per n, never on one axis across them."""
    scores = sorted(c.removeprefix("score.") for c in frame.columns if c.startswith("score."))
    if not scores:
        return
    key = kept_key(PAGE, "score")
    if st.session_state.get(key) not in scores:
        st.session_state[key] = default_score(scores)
    score = st.selectbox("Score to chart", scores, key=key)
    data = frame.dropna(subset=[f"score.{score}"]).copy()
    data["bar"] = _bar_labels(data)
    data["model "] = data["model"].astype(str).map(html.escape)
    split = score in DEPENDS_ON_N and data["basis"].nunique() > 1
    if split:
        st.caption(f"{score} grows with the number of answers behind it: one chart per n, never one axis across them.")
    groups = data.groupby("basis", sort=False) if split else [("", data)]
    for index, (basis, rows) in enumerate(groups):
        fig = px.bar(
            rows,
            x="bar",
            y=f"score.{score}",
            color="side",
            barmode="group",
            color_discrete_map=SIDE_COLOURS,
            category_orders={"side": ["base", "aligned"]},
            hover_data={"model ": True, "bar": False, "experiment": True},
            labels={"bar": "", f"score.{score}": score},
        )
        title = f"{score} per run, {basis} (measured here)" if basis else f"{score} per run (measured here)"
        fig.update_layout(height=340, margin={"l": 10, "r": 10, "t": 40, "b": 10}, title=plain_title(title))
        st.plotly_chart(fig, width="stretch", key=f"{PAGE}.chart.{index}" if index else f"{PAGE}.chart")
    csv = data[["run_id", "run", "experiment", "pair", "side", "model", "basis", f"score.{score}"]].to_csv(index=False)
    st.download_button("Download this chart's data (CSV)", csv, f"{score}.csv", "text/csv", key=f"{PAGE}.chart_csv")


def show_run(result: dict) -> None:
    """One run in full, drawn by its experiment's own view when there is one, then every item."""
    # a dial's stored mixed side has no base or aligned side for the experiment's view to draw
    view = view_for(result["experiment"]) if {"base", "aligned"} <= set(result["sides"]) else None
    problems = out_of_range(result)
    if problems:
        st.error(plain(f"This stored run holds numbers no measurement can give ({'; '.join(problems[:5])}). Do not "
                       "trust it: delete it below and run it again."))  # fmt: skip
    show_scoring_notes(result)
    if view is None:
        st.json(result, expanded=False)
    else:
        view(result | {"cached": True})
    show_items(result)


def _label(result: dict) -> str:
    return f"{run_title(result)} · {result['pair']} · run {result['run_id']}"


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
        for column in ("run A", "run B", "B − A"):
            shown = shown.assign(**{column: shown[column].map(format_number)})
        st.dataframe(shown, hide_index=True, width="stretch")


def delete_section(db: Store, results: list[dict]) -> None:
    with st.expander("Delete runs"):
        by_id = {r["run_id"]: r for r in results}
        doomed = st.multiselect(
            "Runs to delete", list(by_id), format_func=lambda i: _label(by_id[i]), key=f"{PAGE}.delete.ids"
        )
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
            st.success(f"Deleted {count(st.session_state.pop(f'{PAGE}.deleted'), 'run')}.")
