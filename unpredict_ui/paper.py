"""The paper's number beside ours, drawn the same way on every experiment page and in talk mode.

The comparison itself (which way the paper goes, which way this pair goes) is in
`unpredict_core.results.paper_beside`; this module only lays it out: two labelled columns,
*reported by the paper* and *measured here*, the coverage of each side, the provenance note, and
each clause of the paper's finding judged on its own line (warning-coloured where the pair goes
against it).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from unpredict_core.results.paper_beside import SIDES, Beside, beside_result
from unpredict_core.results.verdicts import UNLIKE_PAPER
from unpredict_ui.text import plain


def _number(value: float | None, score: str) -> str:
    if value is None:
        return "—"
    if score in ("originality", "instruction_strict"):
        return f"{value:.0%}"
    if score == "net_score":
        return f"{value:+.1f}"
    return f"{value:,.0f}" if score == "repetition_mode" else f"{value:,.1f}"


def paper_values(beside: Beside) -> str:
    if beside.paper is None:
        return "no number"
    return " · ".join(f"{s} {_number(beside.paper[s], beside.claim.score)}" for s in SIDES)


def measured_values(beside: Beside) -> str:
    parts = []
    for s in SIDES:
        text = f"{s} {_number(beside.measured[s], beside.claim.score)}"
        if beside.coverage.get(s) is not None:
            text += f" (coverage {beside.coverage[s]:.1%})"
        parts.append(text)
    return " · ".join(parts)


def show_beside(beside: Beside, key: str) -> None:
    """The comparison as a bordered box: paper | here, then the sentence."""
    with st.container(border=True, key=key):
        left, right = st.columns(2)
        left.markdown(f"**Reported by the paper** · {beside.claim.metric}: {paper_values(beside)}")
        left.caption(plain(f"Source: {beside.paper_source}. {beside.claim.scale_note}".strip()))
        right.markdown(f"**Measured here** · {measured_values(beside)}")
        if any(v is not None for v in beside.coverage.values()):
            right.caption("Coverage: the share of each side's probability that was a clean answer.")
        show_clauses(beside)


def show_clauses(beside: Beside) -> None:
    """Each clause of the paper's finding on its own line, judged from the numbers above; a clause
    that goes against the paper in warning colour."""
    for clause in beside.clauses:
        (st.warning if clause.verdict == UNLIKE_PAPER else st.caption)(clause.sentence)  # our words and numbers only


def show_paper_beside(result: dict) -> None:
    beside = beside_result(result)
    if beside is not None:
        show_beside(beside, key=f"paper-{result.get('run_id', 'run')}")


def with_paper(show: Callable[[dict], None]) -> Callable[[dict], None]:
    """A page's result view with the paper's number above it."""

    def shown(result: dict) -> None:
        show_paper_beside(result)
        show(result)

    return shown
