"""The scatter page's one obvious path on a fresh install: a button that runs what the figure needs
on the picked pair (IFEval for x, the chosen y's experiment), with progress and a time estimate."""

from __future__ import annotations

import time

import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.results.figure_plan import estimate_seconds, measurement_plan
from unpredict_core.results.scatter import y_scores
from unpredict_core.runs import run_experiment
from unpredict_ui.resources import backends, store
from unpredict_ui.sidebar import PairChoice


def _minutes(seconds: float) -> str:
    return f"about {max(1, round(seconds / 60))} min" if seconds >= 60 else f"about {seconds:.0f} s"


def measure_pair(choice: PairChoice, plan: list, estimate: float) -> None:
    """Run every item of `plan` on the picked pair (each answered from the cache when stored)."""
    bar = st.progress(0.0, text="Starting…")
    started = time.monotonic()
    try:
        for index, (experiment, params) in enumerate(plan):

            def report(fraction: float, message: str, index: int = index, experiment: str = experiment) -> None:
                done = (index + min(1.0, max(0.0, fraction))) / len(plan)
                left = max(0.0, estimate - (time.monotonic() - started))
                bar.progress(done, text=f"{experiment} ({index + 1}/{len(plan)}): {message} · {_minutes(left)} left")

            run_experiment(
                experiment, choice.pair, params, store=store(), load=backends(), formats=choice.formats, progress=report
            )
    except UnpredictError as exc:
        st.error(str(exc))
        return
    finally:
        bar.empty()
    st.rerun()


def measure_section(page: str, choice: PairChoice, y_key: str, stored: list[dict]) -> None:
    plan = measurement_plan(y_key)
    estimate = estimate_seconds(plan, stored)
    what = " and ".join(f"**{experiment}**" for experiment, _ in plan)
    pair = choice.pair.name if choice.pair else "the picked pair"
    label = f"Measure the picked pair for this figure ({_minutes(estimate)})"
    st.caption(
        f"Runs {what} on {pair} with their default settings (IFEval on a subset sized for this machine), "
        f"then draws the points. Stored runs are reused, so a second press is instant. y: {y_scores()[y_key].label}."
    )
    if st.button(label, key=f"{page}.measure", disabled=not choice.ready):
        measure_pair(choice, plan, estimate)
