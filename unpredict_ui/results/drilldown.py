"""Every item of one run, in the spirit of a log viewer: a table of every answer, round, poem or
benchmark prompt, and any one of them opened in full with the prompt the model saw and what it
said. Model and prompt text is shown as text (a table cell, a code block), never as markdown."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from unpredict_core.results.items import item_rows
from unpredict_ui.text import count, plain

PAGE = "results"
PREVIEW = 80


def _preview(text: object) -> str:
    line = " ".join(str(text or "").split())
    return line if len(line) <= PREVIEW else "…" + line[-PREVIEW:]  # a prompt's end is what changes


def show_items(result: dict) -> None:
    rows = item_rows(result)
    st.subheader("Every item of this run")
    if not rows:
        st.caption("This run stores no items of its own (only its summary scores).")
        return
    sides = sorted({r["side"] for r in rows}, key=lambda s: s != "base")
    side = st.radio("Side", sides, horizontal=True, key=f"{PAGE}.items.side.{result['run_id']}")
    mine = [r for r in rows if r["side"] == side]
    st.caption(
        f"{count(len(mine), 'item')} on this side: each with the prompt the model was given (for a game, that "
        "round's request before the side's chat template) and what the model said."
    )
    table = pd.DataFrame(
        {
            "kind": [r["kind"] for r in mine],
            "#": [r["index"] for r in mine],
            "output": [str(r["output"]) for r in mine],
            "probability": [r["probability"] for r in mine],
            "count": [r["count"] for r in mine],
            "prompt (its end)": [_preview(r["prompt"]) for r in mine],
        }
    )
    table = table[[c for c in table.columns if table[c].notna().any()]]  # no column of "None"
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"probability": st.column_config.NumberColumn(format="percent")},
    )
    chosen = st.selectbox(
        "Open one in full",
        range(len(mine)),
        format_func=lambda i: f"{mine[i]['kind']} {mine[i]['index']} · {_preview(mine[i]['output'])[:40]}",
        key=f"{PAGE}.items.open.{result['run_id']}.{side}",
    )
    item = mine[chosen]
    st.markdown(f"**Prompt** ({plain(item['kind'])} {item['index']}, {plain(item['model'])})")
    st.code(str(item["prompt"] or ""), language=None, wrap_lines=True)
    st.markdown("**What the model said**")
    st.code(str(item["output"] if item["output"] is not None else ""), language=None, wrap_lines=True)
    if item["detail"]:
        st.json(item["detail"], expanded=False)
