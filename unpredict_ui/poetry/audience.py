"""The audience app (`streamlit run audience/app.py`): blind voting on one poetry run and nothing else.

A talk's audience votes from their phones, so this entry point exposes no model paths, servers,
exports, deletes or other pages: one page, one run's blind pairs, and the same vote form and store
as the Poetry page (so every vote shows up in its Analysis). Each browser is its own rater, named
by a random token kept in the address (`?rater=`), so a reload keeps its progress. The run is the
one named by `?run=` (the talk's QR code names it), looked up by its id however old it is; a run
that is gone says so (never another run's poems in its place); without `?run=`, the latest poetry
run.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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
    it is served on the local network), with the run to vote on as a query parameter of its own
    (a base address that has a query keeps it)."""
    given = os.environ.get(URL_ENV, "").strip() or DEFAULT_URL  # set but empty: the default, not a bare path
    base = urlsplit(given if "://" in given else f"http://{given}")
    if not run_id:
        return urlunsplit(base).rstrip("/")
    query = [(k, v) for k, v in parse_qsl(base.query, keep_blank_values=True) if k != "run"] + [("run", run_id)]
    return urlunsplit((base.scheme, base.netloc, base.path or "/", urlencode(query), base.fragment))


def is_local(url: str) -> bool:
    """Whether only this machine can open `url`: its host, parsed (any case), is localhost or a
    loopback address — not a name that merely starts with "localhost"."""
    text = url.strip()
    try:
        host = (urlsplit(text if "://" in text else f"http://{text}").hostname or "").rstrip(".")
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified  # 0.0.0.0 is no address a phone can open


def _rater() -> str:
    token = st.query_params.get("rater", "")
    if not (token.startswith("audience-") and len(token) <= 40 and token[9:].isalnum()):
        token = f"audience-{secrets.token_hex(4)}"
        st.query_params["rater"] = token
    return token


GONE = "gone"


def _run() -> dict | str | None:
    """The poetry run named by `?run=` (by its id, however many runs are newer), GONE when it names
    none, or the latest poetry run when no run is named (None: there is none)."""
    wanted = st.query_params.get("run", "")
    if wanted:
        found = store().find_run_by_id(wanted)
        return found if found is not None and found.get("experiment") == "poetry" else GONE
    latest = store().list_runs("poetry", limit=1)
    return store().find_run_by_id(latest[0]["run_id"]) if latest else None


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
    if not isinstance(result, dict):  # GONE
        st.warning(
            "The poems this link points to are no longer stored (the presenter may have deleted them), so "
            "there is nothing to vote on here. Ask the presenter for the current link or QR code."
        )
        return
    rater = _rater()
    st.caption(f"You vote as **{rater}** (anonymous, one name per browser).")
    rate_view(PAGE, result, rater=rater)
