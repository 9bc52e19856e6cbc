"""Poetry page, Rate mode: two poems on one topic, sides hidden and order shuffled, three questions.

Nothing is stored until the rater submits all three answers (a form keeps them in the browser),
so closing the page mid-vote leaves no half vote. The pair and its vote id are drawn before the
form is shown; a vote submitted twice (a double click, a resent form) is stored once.
"""

from __future__ import annotations

import random
from dataclasses import asdict

import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.experiments.poetry.metrics import CRITERIA, QUESTIONS
from unpredict_core.experiments.poetry.votes import BlindPair, draw_pair, record_vote
from unpredict_ui.resources import store
from unpredict_ui.state import kept_key
from unpredict_ui.text import plain

STATUS = {
    "stored": ("success", "Vote stored. Here is a new pair."),
    "repeat": (
        "success",
        "Vote stored and marked as a repeat: you had already rated this pair. Here is a new pair.",
    ),
    "duplicate": ("info", "This vote was already stored (the form was sent twice); it counts once."),
}


def _pair_key(page: str) -> str:
    return f"{page}.blind_pair"


def current_pair(page: str, result: dict) -> BlindPair:
    """The pair on screen for this run, drawn afresh when there is none (or it is of another run)."""
    kept = st.session_state.get(_pair_key(page))
    if isinstance(kept, dict) and kept.get("run_id") == result["run_id"]:
        return BlindPair(**kept["pair"])
    return new_pair(page, result)


def new_pair(page: str, result: dict) -> BlindPair:
    pair = draw_pair(result, random.Random())  # unseeded: every rater sees their own sequence
    st.session_state[_pair_key(page)] = {"run_id": result["run_id"], "pair": asdict(pair)}
    return pair


def _message(page: str) -> None:
    message = st.session_state.pop(f"{page}.vote_message", None)
    if message:
        kind, text = message
        getattr(st, kind)(text)


def rate_view(page: str, result: dict) -> None:
    """Draw the blind pair and its voting form; store the vote whole on submit."""
    _message(page)
    rater = st.text_input(
        "Your name (rater)",
        key=kept_key(page, "rater"),
        max_chars=60,
        help="Votes are kept per rater; rating the same pair twice is allowed and marked as a repeat.",
    )
    try:
        pair = current_pair(page, result)
    except UnpredictError as exc:
        st.error(plain(exc))
        return
    st.markdown(f"#### Topic: {plain(pair.topic)}")
    st.caption("Which side wrote which poem is hidden, and the order is shuffled for every pair.")
    for column, (name, text) in zip(st.columns(2, gap="large"), (("Poem A", pair.text_a), ("Poem B", pair.text_b))):
        with column.container(border=True):
            st.markdown(f"**{name}**")
            st.text(text)
    with st.form(f"{page}.vote"):
        answers = {
            criterion: st.radio(
                QUESTIONS[criterion],
                ["a", "b"],
                index=None,
                format_func=lambda x: f"Poem {x.upper()}",
                horizontal=True,
                key=f"{page}.answer.{pair.vote_id}.{criterion}",  # a new pair starts unanswered
            )
            for criterion in CRITERIA
        }
        submitted = st.form_submit_button("Submit vote", type="primary")
    if st.button("Skip this pair", key=f"{page}.skip"):
        new_pair(page, result)
        st.rerun()
    if submitted:
        _submit(page, result, pair, rater, answers)


def _submit(page: str, result: dict, pair: BlindPair, rater: str, answers: dict) -> None:
    try:
        status = record_vote(store(), pair, rater, answers)
    except UnpredictError as exc:
        st.error(plain(exc))
        return
    st.session_state[f"{page}.vote_message"] = STATUS[status]
    new_pair(page, result)
    st.rerun()
