"""Run an experiment from a page: a progress bar while it works, a message (never a traceback)
when it fails, and the result kept in session state so it survives widget changes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.progress import Cancelled, cancellable, time_left
from unpredict_core.run_notes import scoring_notes
from unpredict_core.runs import run_experiment
from unpredict_ui.resources import backends, store
from unpredict_ui.sidebar import PairChoice
from unpredict_ui.text import plain

log = logging.getLogger(__name__)


def settings_of(choice: PairChoice, params, requests: dict[str, str]) -> dict[str, Any]:
    """Everything that determines a run, to tell whether a kept result still matches the widgets."""
    name = choice.pair.name if choice.pair else None
    return {"pair": name, "formats": choice.formats, "params": params.as_dict(), "requests": requests}


def run_with_progress(
    experiment: str, choice: PairChoice, params, requests: dict[str, str], page: str = "run"
) -> dict | None:
    """The run's result, or None after showing why it failed. A Cancel button sits beside the
    bar: pressing it makes Streamlit rerun the page, which stops this run at its next progress
    report, before anything is stored (the flag also stops a run that keeps going)."""
    bar = st.progress(0.0, text="Starting…")
    flag = f"{page}.cancelled"
    st.session_state[flag] = False
    cancel = st.empty()
    cancel.button("Cancel", key=f"{page}.cancel", on_click=_request_cancel, args=(flag,))

    started = time.monotonic()

    def report(fraction: float, message: str) -> None:
        overall = "" if "left" in message else time_left(fraction, time.monotonic() - started)
        bar.progress(min(1.0, max(0.0, fraction)), text=f"{message} · {overall}" if overall else message)

    try:
        db = store()
        for notice in db.notices:
            st.warning(plain(notice))
        return run_experiment(
            experiment,
            choice.pair,
            params,
            store=db,
            load=backends(),
            formats=choice.formats,
            requests=requests,
            progress=cancellable(report, lambda: bool(st.session_state.get(flag))),
        )
    except Cancelled as exc:
        st.warning(plain(exc))
    except UnpredictError as exc:
        st.error(plain(exc))
    except Exception as exc:  # a bug: the log keeps the traceback, the page a readable line
        log.exception("run of %s failed", experiment)
        st.error(f"Unexpected error ({type(exc).__name__}): {plain(exc)}. The details are in the server log.")
    finally:
        bar.empty()
        cancel.empty()
    return None


def _request_cancel(flag: str) -> None:
    st.session_state[flag] = True


def show_cancelled(page: str) -> None:
    """After Cancel was pressed, say what happened to the run (it was stopped, nothing stored)."""
    if st.session_state.pop(f"{page}.cancelled", False):
        st.warning("Cancelled: the run stopped between two steps and nothing of it was stored.")


def timing_text(result: dict) -> str:
    """How long the measurement took, with loading (and a first run's one-time model conversion)
    counted apart: a cold start must not pass for the cost of the run."""
    run = f"{result.get('duration_s') or 0.0:,.1f} s"
    if "load_s" not in result:
        loading = " (loading the models included: this run was stored before loading was timed apart)"
    elif result["load_s"] >= 0.05:
        loading = f"; loading the models took {result['load_s']:,.1f} s more, not counted in it"
    else:
        loading = "; the models were already loaded"
    together = result.get("together")
    if together:  # a sweep's runs of a game played in lockstep: the time is this run's share
        run += (
            f" (its share: it was computed together with {int(together['runs']) - 1} other runs of a sweep, "
            f"{together['duration_s']:,.1f} s in all)"
        )
    if result.get("cached"):
        when = str(result.get("created_at", ""))[:19].replace("T", " ")
        return (
            "Answered from the cache: this exact run (same weights, prompts and parameters) was "
            f"measured at {when} UTC in {run}{loading}."
        )
    return f"Measured now in {run}{loading}. Stored in the results cache."


def show_scoring_notes(result: dict) -> None:
    """The run's scoring notes (run_notes.scoring_notes, which the CLI prints too)."""
    for level, text in scoring_notes(result):
        heading, _, rest = text.partition(": ")
        shown = f"**{heading}:** {rest}" if level == "warning" and rest else text
        (st.warning if level == "warning" else st.caption)(shown)


def keep_result(state_key: str, result: dict, settings: dict[str, Any]) -> None:
    st.session_state[state_key] = {"result": result, "settings": settings}


def kept_result(state_key: str, settings: dict[str, Any]) -> dict | None:
    """The last result of this page; says so when the widgets have moved on since."""
    kept = st.session_state.get(state_key)
    if kept is None:
        return None
    if kept["settings"] != settings:
        st.info("The settings have changed since this result was measured: press **Run** to update it.")
    return kept["result"]


def run_section(
    page: str,
    experiment: str,
    choice: PairChoice,
    params,
    requests: dict[str, str],
    show: Callable[[dict], None],
    idle_hint: str,
    button: str = "Run",
) -> None:
    """The Run button of an experiment page and the result under it: the button is off (and says
    why) until the pair can load; the result shown is the one kept for exactly these settings."""
    settings = settings_of(choice, params, requests) if params is not None else {}
    if not choice.ready:
        st.warning(f"**{button}** is off until both models of the pair can be loaded here: see the sidebar.")
    show_cancelled(page)
    if st.button(button, type="primary", key=f"{page}.run", disabled=not choice.ready or params is None):
        result = run_with_progress(experiment, choice, params, requests, page)
        if result is not None:
            keep_result(page, result, settings)
    result = kept_result(page, settings) if params is not None else None
    if result is not None:
        show_scoring_notes(result)
        show(result)
    elif choice.ready and params is not None:
        st.info(idle_hint)
