"""Arena-grade blind pairs: drawn without replacement per rater, a tie / both-bad answer stored and
counted apart, and the same layout for both poems so the side does not show."""

from __future__ import annotations

import random

import pytest

from tests.experiments.poetry.test_poetry import SMALL, run_scripted
from unpredict_core.experiments.poetry.metrics import complete_votes, spearman_with_preference, win_rates
from unpredict_core.experiments.poetry.votes import (
    PairsExhausted,
    all_pairs,
    draw_pair,
    normalise_poem,
    pair_progress,
    rated_pairs,
    record_vote,
    side_of,
)
from unpredict_core.store.database import Store


def test_every_pair_comes_once_before_the_rater_runs_out():
    store = Store()
    result = run_scripted(SMALL, store)
    total = len(all_pairs(result))
    assert total == 8  # 2 topics × 2 base × 2 aligned poems
    rng, seen = random.Random(0), []
    for _ in range(total):
        rated = rated_pairs(store.vote_rows(result["run_id"]), "Ann")
        pair = draw_pair(result, rng, rated)
        seen.append(frozenset((pair.poem_a, pair.poem_b)))
        record_vote(store, pair, "Ann", {"originality": "a", "pleasantness": "tie", "preference": "b"})
    assert len(set(seen)) == total, "no pair twice"
    rated = rated_pairs(store.vote_rows(result["run_id"]), "Ann")
    assert pair_progress(result, rated) == (total, total)
    with pytest.raises(PairsExhausted, match="all 8 pairs"):
        draw_pair(result, rng, rated)
    assert draw_pair(result, rng, rated_pairs(store.vote_rows(), "Bob"))  # another rater starts afresh


def test_a_tie_is_stored_as_neither_side_and_left_out_of_the_win_rate():
    store = Store()
    result = run_scripted(SMALL, store)
    rng = random.Random(1)
    for answer in ("a", "b", "tie"):
        pair = draw_pair(result, rng, rated_pairs(store.vote_rows(), "Ann"))
        record_vote(store, pair, "Ann", {"originality": answer, "pleasantness": "tie", "preference": answer})
    rows = store.vote_rows()
    assert [r["chosen_side"] for r in rows if r["criterion"] == "pleasantness"] == ["tie"] * 3
    rates = win_rates(complete_votes(rows))
    assert rates["pleasantness"] == {"base_wins": 0, "votes": 0, "ties": 3, "rate": None, "ci_low": None,
                                     "ci_high": None}  # fmt: skip
    assert rates["originality"]["votes"] == 2 and rates["originality"]["ties"] == 1
    rho = spearman_with_preference(complete_votes(rows))["originality"]
    assert rho["rho"] == pytest.approx(1.0)  # originality and preference answered alike, ties included


def test_layout_does_not_tell_the_sides_apart():
    double_spaced = "The river\n\nruns to the sea\n\nand back\n\nagain"
    chat = "**The River**\n\nThe river\nruns to the sea\nand back\nagain  "
    assert normalise_poem(double_spaced) == "The river\nruns to the sea\nand back\nagain"
    assert normalise_poem(chat) == "The River\n\nThe river\nruns to the sea\nand back\nagain"
    stanzas = "one\ntwo\nthree\n\nfour\nfive\nsix"
    assert normalise_poem(stanzas) == stanzas, "a stanza break is kept"
    assert normalise_poem("   # Title\n\n\n\n  line  ") == "Title\n\nline"


def test_drawn_texts_are_normalised_and_the_reveal_names_the_sides():
    result = run_scripted(SMALL)
    pair = draw_pair(result, random.Random(3))
    assert {side_of(pair.poem_a), side_of(pair.poem_b)} == {"base", "aligned"}
    for text in (pair.text_a, pair.text_b):
        assert text == normalise_poem(text) and "\n\n\n" not in text
