"""The audience app (`streamlit run audience.py`): blind voting on one poetry run and nothing else.

A talk's audience votes from their phones, so this entry point exposes no model paths, servers,
exports, deletes or other pages: one page, one run's blind pairs, and the same vote form and store
as the Poetry page (so every vote shows up in its Analysis). Each browser is its own rater, named
by a random token kept in the address (`?rater=`), so a reload keeps its progress. The run is the
one named by `?run=` (the talk's QR code names it), else the latest poetry run.
"""

from __future__ import annotations

import os
import secrets

import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_ui.poetry.rate import rate_view
from unpredict_ui.resources import store

PAGE = "audience"
URL_ENV = "UNPREDICT_AUDIENCE_URL"
DEFAULT_URL = "http://localhost:8502"
HIDE_CHROME = """<style>
[data-testid="stToolbar"], [data-testid="stHeader"], [data-testid="stSidebar"],
[data-testid="stSidebarCollapsedControl"] {display: none !important;}
</style>"""


def audience_url(run_id: str | None = None) -> str:
    """Where the audience app is reached (the presenter sets UNPREDICT_AUDIENCE_URL to the address
    it is served on the local network), with the run to vote on."""
    base = os.environ.get(URL_ENV, DEFAULT_URL).rstrip("/")
    return f"{base}/?run={run_id}" if run_id else base


def is_local(url: str) -> bool:
    return any(host in url for host in ("//localhost", "//127.0.0.1", "//[::1]"))


def _rater() -> str:
    token = st.query_params.get("rater", "")
    if not (token.startswith("audience-") and len(token) <= 40 and token[9:].isalnum()):
        token = f"audience-{secrets.token_hex(4)}"
        st.query_params["rater"] = token
    return token


def _run() -> dict | None:
    wanted = st.query_params.get("run", "")
    runs = store().list_runs("poetry")
    ids = [r["run_id"] for r in runs]
    run_id = wanted if wanted in ids else (ids[0] if ids else None)
    return store().find_run_by_id(run_id) if run_id else None


def audience_page() -> None:
    st.html(HIDE_CHROME)
    st.title("Which poem is better?")
    st.markdown(
        "Two short poems on the same topic, one by a **base** language model and one by its **aligned** "
        "sibling, in random order. Answer three questions; after your vote we reveal who wrote which."
    )
    try:
        result = _run()
    except UnpredictError:  # its message may name paths on the presenter's machine: not shown here
        st.error("The poems cannot be reached right now: ask the presenter.")
        return
    if result is None:
        st.info("No poems to vote on yet: the presenter has not generated any.")
        return
    rater = _rater()
    st.caption(f"You vote as **{rater}** (anonymous, one name per browser).")
    rate_view(PAGE, result, rater=rater)
