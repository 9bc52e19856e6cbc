"""Run an experiment from a page: a progress bar while it works, a message (never a traceback)
when it fails, and the result kept in session state so it survives widget changes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.runs import run_experiment
from unpredict_ui.resources import backends, store
from unpredict_ui.sidebar import PairChoice
from unpredict_ui.text import plain

log = logging.getLogger(__name__)


def settings_of(choice: PairChoice, params, requests: dict[str, str]) -> dict[str, Any]:
    """Everything that determines a run, to tell whether a kept result still matches the widgets."""
    name = choice.pair.name if choice.pair else None
    return {"pair": name, "formats": choice.formats, "params": params.as_dict(), "requests": requests}


def run_with_progress(experiment: str, choice: PairChoice, params, requests: dict[str, str]) -> dict | None:
    """The run's result, or None after showing why it failed."""
    bar = st.progress(0.0, text="Starting…")

    def report(fraction: float, message: str) -> None:
        bar.progress(min(1.0, max(0.0, fraction)), text=message)

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
            progress=report,
        )
    except UnpredictError as exc:
        st.error(plain(exc))
    except Exception as exc:  # a bug: the log keeps the traceback, the page a readable line
        log.exception("run of %s failed", experiment)
        st.error(f"Unexpected error ({type(exc).__name__}): {plain(exc)}. The details are in the server log.")
    finally:
        bar.empty()
    return None


def scoring_notes(result: dict) -> list[tuple[str, str]]:
    """(level, text) per side whose probabilities were not exact: a server without
    log-probabilities (estimated from draws), or one that listed only its top candidates."""
    notes = []
    for role, side in result.get("sides", {}).items():
        if side.get("scoring"):
            notes.append(("warning", f"**{role.capitalize()} side:** {side['scoring']}."))
        elif side.get("unresolved") is not None:
            missed = f"{side['unresolved']:.2%}"
            notes.append(
                (
                    "caption",
                    f"{role.capitalize()} side was scored from a model server's top candidates per "
                    f"token: at most {missed} of the probability of an answer set was not listed and is left out.",
                )
            )
    return notes


def show_scoring_notes(result: dict) -> None:
    for level, text in scoring_notes(result):
        if level == "warning":
            st.warning(text)
        else:
            st.caption(text)


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
    if st.button(button, type="primary", key=f"{page}.run", disabled=not choice.ready or params is None):
        result = run_with_progress(experiment, choice, params, requests)
        if result is not None:
            keep_result(page, result, settings)
    result = kept_result(page, settings) if params is not None else None
    if result is not None:
        show_scoring_notes(result)
        show(result)
    elif choice.ready and params is not None:
        st.info(idle_hint)
