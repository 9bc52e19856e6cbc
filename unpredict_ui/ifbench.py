"""IFBench and IFEval page parts: the run's settings, both sides' four accuracies with their
intervals (and IFEval's leaderboard score), what this machine could not check, and every prompt
with its response and verdicts (shown as text)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from unpredict_core.experiments import ifbench, ifeval
from unpredict_core.experiments.instructions.scores import LABELS, METRICS, failed_instructions
from unpredict_core.experiments.instructions.suite import BenchmarkParams
from unpredict_core.params import spec_of
from unpredict_core.run_notes import side_notes
from unpredict_core.runs import ROLES
from unpredict_ui.inputs import declared_number
from unpredict_ui.state import kept_key
from unpredict_ui.views import shows

ROLE_TITLE = {"base": "Base", "aligned": "Aligned"}


def benchmark_params(page: str, params_class: type[BenchmarkParams]) -> BenchmarkParams:
    suite = params_class.SUITE
    pool = suite.pool_size()  # the declared maximum, less what this machine cannot check
    left, middle, right = st.columns(3)
    limit = left.number_input(
        "Prompts per side",
        spec_of(params_class, "limit").min,
        pool,
        min(suite.default_limit(), pool),
        key=kept_key(page, "limit"),
        help=f"A seeded subset of the {pool} prompts whose instructions can all be checked here. "
        f"On 2 CPU cores {suite.cpu_default_limit} prompts take a minute or three for both sides (bench/README).",
    )
    max_new_tokens = declared_number(middle, "New-token cap per response", params_class, "max_new_tokens", page)
    seed = declared_number(right, "Seed (which prompts)", params_class, "seed", page)
    return params_class(limit=int(limit), max_new_tokens=int(max_new_tokens), seed=int(seed))


def ifbench_params(page: str) -> BenchmarkParams:
    return benchmark_params(page, ifbench.Params)


def _cell(score: dict) -> str:
    if score["value"] is None:
        return "—"
    low, high = score["ci"]
    return f"{score['value']:.1%}  [{low:.1%} – {high:.1%}]  ({score['successes']}/{score['trials']})"


def scores_frame(result: dict) -> pd.DataFrame:
    """The four accuracies per side, each with its exact 95 % interval and counts."""
    rows = []
    for metric in METRICS:
        row = {"accuracy": LABELS[metric]}
        for role in ROLES:
            side = result["sides"][role]
            row[f"{ROLE_TITLE[role]} · {side['model']}"] = _cell(side["accuracy"][metric])
        rows.append(row)
    return pd.DataFrame(rows)


def prompts_frame(side: dict) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "key": row["key"],
                "followed (strict)": not failed_instructions(row, "strict"),
                "failed (strict)": ", ".join(failed_instructions(row, "strict")),
                "not checked": ", ".join(v["id"] for v in row["instructions"] if v["status"] != "checked"),
                "prompt": row["prompt"],
                "response": row["response"],
            }
            for row in side["prompts"]
        ]
    )


@shows(ifeval.NAME)
def show_ifeval(result: dict) -> None:
    st.subheader("IFEval on the leaderboard's scale, measured here")
    columns = st.columns(len(ROLES))
    for column, role in zip(columns, ROLES):
        score = result["sides"][role]["accuracy"].get("oll_ifeval") or {}
        if score.get("value") is not None:
            low, high = score["ci"]
            column.metric(f"{ROLE_TITLE[role]} · {result['sides'][role]['model']}", f"{score['value']:.1f}")
            column.caption(f"95 % {low:.1f}–{high:.1f} (both parts' 97.5 % exact intervals, Bonferroni)")
    st.caption(ifeval.SCALE_NOTE)
    show_ifbench(result, "IFEval")


@shows(ifbench.NAME)
def show_ifbench(result: dict, title: str = "IFBench") -> None:
    cached = " (from the cache)" if result.get("cached") else ""
    st.subheader(f"{title}, measured here{cached}")
    suite = ifeval.SUITE if title == "IFEval" else ifbench.SUITE
    note = result["sides"][ROLES[0]].get("protocol_note") or suite.protocol_note
    st.caption(note + " Intervals are exact (Clopper-Pearson) 95 % intervals.")
    st.dataframe(scores_frame(result), hide_index=True, width="stretch")
    for role in ROLES:
        for note in side_notes(result["sides"][role]):
            st.text(f"{ROLE_TITLE[role]} side: {note}.")
    st.subheader("Every prompt, its response and the instructions it missed")
    tabs = st.tabs([f"{ROLE_TITLE[role]} · {result['sides'][role]['model']}" for role in ROLES])
    for tab, role in zip(tabs, ROLES):
        side = result["sides"][role]
        with tab:
            st.caption(f"Format: {side['format']}. The exact model input, with the prompt's place marked:")
            st.code(side["prompt"], language=None)
            frame = prompts_frame(side)
            st.dataframe(frame, hide_index=True, width="stretch", key=f"{title}.prompts.{role}.{result['run_id']}")
            pick = st.selectbox("Read one in full", list(frame["key"]), key=f"{title}.pick.{role}.{result['run_id']}")
            row = next(r for r in side["prompts"] if r["key"] == pick)
            st.text("Prompt:")
            st.code(row["prompt"], language=None, wrap_lines=True)
            st.text("Response:")
            st.code(row["response"] or "(empty)", language=None, wrap_lines=True)
            st.dataframe(pd.DataFrame(row["instructions"]), hide_index=True, width="stretch")
