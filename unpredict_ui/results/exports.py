"""Export the selection: one row per run and side, or one row per item (every answer with its
probability, every round with its request, every poem and benchmark prompt). Files go to the
browser, or into the one exports folder under the cache (created when the page draws, so the
folder shown exists), never over an existing file: a page must not write anywhere else."""

from __future__ import annotations

import io
from datetime import datetime

import pandas as pd
import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.paths import ensure_writable_dir, exports_dir
from unpredict_core.results.items import items_frame
from unpredict_core.results.table import export_to_exports_folder, for_export
from unpredict_ui.state import kept_key
from unpredict_ui.text import count, plain

PAGE = "results"
WHAT = {
    "runs": "Runs: one row per run and side, with every score",
    "items": "Items: every answer with its probability, every round with the request the model saw, every poem "
    "and benchmark prompt with what the model said",
}
NAMES = {"csv": "CSV", "parquet": "Parquet"}


def export_section(frame: pd.DataFrame, results: list[dict]) -> None:
    with st.expander("Export the selection (CSV and Parquet)"):
        what = st.radio("What to export", list(WHAT), format_func=WHAT.get, key=kept_key(PAGE, "export_what"))
        data = frame if what == "runs" else items_frame(results)
        st.caption(f"{count(len(data), 'row')} from {count(len(results), 'run')}.")
        left, right = st.columns(2)
        left.download_button(
            "Download (CSV)", data.to_csv(index=False), f"{what}.csv", "text/csv", key=f"{PAGE}.download"
        )
        right.download_button(
            "Download (Parquet)",
            _parquet_bytes(data),
            f"{what}.parquet",
            "application/octet-stream",
            key=f"{PAGE}.download_parquet",
        )
        stamp = st.session_state.setdefault(f"{PAGE}.export_default", f"{datetime.now():%Y%m%d-%H%M%S}")
        name = st.text_input(
            "Or write a file into the exports folder: its name (without extension)",
            f"{what}-{stamp}",
            key=kept_key(PAGE, "export_name" if what == "runs" else f"export_name_{what}"),
            help="Letters, digits, '.', '-' and '_' only; an existing file is never replaced.",
        )
        try:
            folder = ensure_writable_dir(exports_dir(), "exports")
            st.caption("Exports folder (inside the cache):")
            st.code(str(folder), language=None)
        except UnpredictError as exc:
            st.error(plain(exc))
            return
        left, right = st.columns(2)
        for column, fmt in ((left, "csv"), (right, "parquet")):
            if column.button(f"Write {NAMES[fmt]} file", key=f"{PAGE}.export.{fmt}"):
                try:
                    path = export_to_exports_folder(data, name, fmt)
                    st.success(f"Wrote {count(len(data), 'row')} to {plain(str(path))}")
                except UnpredictError as exc:
                    st.error(plain(str(exc)))


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    for_export(frame).to_parquet(buffer, index=False)
    return buffer.getvalue()
