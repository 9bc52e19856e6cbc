"""Poetry page, Rate mode (and the audience app): two poems on one topic, sides hidden and order
shuffled, three questions, each answerable "tie / both bad".

Nothing is stored until the rater submits all three answers (a form keeps them in the browser),
so closing the page mid-vote leaves no half vote. The pair and its vote id are drawn before the
form is shown; a vote submitted twice (a double click, a resent form) is stored once. Pairs are
drawn without replacement per rater (those rated in the store under this name, and in this
browser session), the count rated / remaining is shown, and after each vote the page reveals which
side wrote which poem.
"""

from __future__ import annotations

import random
from dataclasses import asdict

import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.experiments.poetry.metrics import CRITERIA, QUESTIONS
from unpredict_core.experiments.poetry.votes import (
    CHOICE_LABELS,
    CHOICES,
    BlindPair,
    PairsExhausted,
    draw_pair,
    pair_progress,
    rated_pairs,
    record_vote,
    side_of,
)
from unpredict_ui.resources import store
from unpredict_ui.state import kept_key
from unpredict_ui.text import plain

STATUS = {
    "stored": ("success", "Vote stored."),
    "repeat": ("success", "Vote stored and marked as a repeat: you had already rated this pair."),
    "duplicate": ("info", "This vote was already stored (the form was sent twice); it counts once."),
}


def _pair_key(page: str) -> str:
    return f"{page}.blind_pair"


def _rated(page: str, result: dict, rater: str) -> set[frozenset[str]]:
    """Pairs this rater has rated: in the store under this name, and in this session."""
    session = {frozenset(p) for p in st.session_state.get(f"{page}.rated", [])}
    if not rater.strip():
        return session
    rows = store().vote_rows(result["run_id"])
    return session | rated_pairs(rows, " ".join(rater.split()))


def current_pair(page: str, result: dict, rated: set[frozenset[str]]) -> BlindPair:
    """The pair on screen for this run, drawn afresh when there is none (or it is of another run)."""
    kept = st.session_state.get(_pair_key(page))
    if isinstance(kept, dict) and kept.get("run_id") == result["run_id"]:
        pair = BlindPair(**kept["pair"])
        if frozenset((pair.poem_a, pair.poem_b)) not in rated or st.session_state.get(f"{page}.again"):
            return pair
    return new_pair(page, result, rated)


def new_pair(page: str, result: dict, rated: set[frozenset[str]]) -> BlindPair:
    if st.session_state.get(f"{page}.again"):  # the rater chose to rate every pair a second time
        rated = set()
    pair = draw_pair(result, random.Random(), rated)  # unseeded: every rater sees their own sequence
    st.session_state[_pair_key(page)] = {"run_id": result["run_id"], "pair": asdict(pair)}
    return pair


def _message(page: str) -> None:
    message = st.session_state.pop(f"{page}.vote_message", None)
    if message:
        kind, text = message
        getattr(st, kind)(text)
    reveal = st.session_state.pop(f"{page}.reveal", None)
    if reveal:
        st.info(f"Revealed: Poem A was written by the **{reveal[0]}** model, Poem B by the **{reveal[1]}** model.")


def _exhausted(page: str, message: str) -> None:
    st.success(f"{message} Thank you! Further votes would be repeats of pairs you have seen.")
    if st.button("Rate them again (votes marked as repeats)", key=f"{page}.again.button"):
        st.session_state[f"{page}.again"] = True
        st.rerun()


def rater_input(page: str) -> str:
    return st.text_input(
        "Your name (rater)",
        key=kept_key(page, "rater"),
        max_chars=60,
        help="Votes are kept per rater: you see every pair once before any comes back.",
    )


def rate_view(page: str, result: dict, rater: str | None = None) -> None:
    """Draw the blind pair and its voting form; store the vote whole on submit. `rater` given (the
    audience app names each browser) replaces the name field."""
    _message(page)
    rater = rater_input(page) if rater is None else rater
    try:
        rated = _rated(page, result, rater)
        done, total = pair_progress(result, rated)
        st.caption(f"Rated {done:,} of {total:,} pairs · {total - done:,} remaining")
        st.progress(done / total if total else 0.0)
        pair = current_pair(page, result, rated)
    except PairsExhausted as exc:
        _exhausted(page, str(exc))
        return
    except UnpredictError as exc:
        st.error(plain(exc))
        return
    st.markdown(f"#### Topic: {plain(pair.topic)}")
    st.caption("Which side wrote which poem is hidden, the order is shuffled, and both are laid out the same way.")
    for column, (name, text) in zip(st.columns(2, gap="large"), (("Poem A", pair.text_a), ("Poem B", pair.text_b))):
        with column.container(border=True):
            st.markdown(f"**{name}**")
            st.text(text)
    with st.form(f"{page}.vote"):
        answers = {
            criterion: st.radio(
                QUESTIONS[criterion],
                list(CHOICES),
                index=None,
                format_func=CHOICE_LABELS.get,
                horizontal=True,
                key=f"{page}.answer.{pair.vote_id}.{criterion}",  # a new pair starts unanswered
            )
            for criterion in CRITERIA
        }
        submitted = st.form_submit_button("Submit vote", type="primary")
    if st.button("Skip this pair", key=f"{page}.skip"):
        new_pair(page, result, rated | {frozenset((pair.poem_a, pair.poem_b))})
        st.rerun()
    if submitted:
        _submit(page, result, pair, rater, answers, rated)


def _submit(page: str, result: dict, pair: BlindPair, rater: str, answers: dict, rated: set) -> None:
    try:
        status = record_vote(store(), pair, rater, answers)
    except UnpredictError as exc:
        st.error(plain(exc))
        return
    st.session_state[f"{page}.vote_message"] = STATUS[status]
    st.session_state[f"{page}.reveal"] = (side_of(pair.poem_a), side_of(pair.poem_b))
    this = frozenset((pair.poem_a, pair.poem_b))
    st.session_state[f"{page}.rated"] = [*st.session_state.get(f"{page}.rated", []), sorted(this)]
    st.session_state.pop(_pair_key(page), None)
    try:
        new_pair(page, result, rated | {this})
    except PairsExhausted:
        pass  # the rerun says so
    st.rerun()
