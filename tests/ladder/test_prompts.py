"""The ladder's prompts: checkable by IFEval's own checkers, reproducible, split without overlap,
and disjoint from every test the app runs (IFEval, IFBench and the experiments' own prompts)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from unpredict_core.experiments import experiments
from unpredict_core.experiments.ifbench import SUITE as IFBENCH
from unpredict_core.experiments.ifeval import SUITE as IFEVAL
from unpredict_core.experiments.instructions.verifiers import verify
from unpredict_core.experiments.poetry import DEFAULT_TOPICS, SLOT
from unpredict_core.ladder.candidates import grade, preference_rows, sft_rows
from unpredict_core.ladder.prompts import draw_prompts, grams, overlaps, split
from unpredict_core.ladder.recipe import DEFAULT_RECIPE


def experiment_prompts() -> list[str]:
    """Every experiment's own request, in both formats (poetry's with each default topic)."""
    texts = []
    for name, experiment in experiments().items():
        if name in ("ifeval", "ifbench"):
            continue
        variants = [experiment.params()]
        if name == "random-integers":
            variants = [replace(experiment.params(), mode=mode) for mode in ("exact", "sequences")]
        for params in variants:
            for fmt in ("plain", "chat"):
                request = experiment.default_request(params, fmt)
                texts += [request.replace(SLOT, topic) for topic in DEFAULT_TOPICS] if SLOT in request else [request]
    return texts


@pytest.fixture(scope="module")
def default_prompts():
    return split(DEFAULT_RECIPE.seed, DEFAULT_RECIPE.train_prompts, DEFAULT_RECIPE.heldout_prompts)


def test_no_training_or_heldout_prompt_shares_an_8gram_with_a_benchmark_test_prompt(default_prompts):
    train, held = default_prompts
    tests = [p.prompt for p in IFEVAL.prompts()] + [p.prompt for p in IFBENCH.prompts()]
    assert len(tests) > 800
    assert overlaps([p.prompt for p in train + held], tests) == []


def test_no_ladder_prompt_contains_or_shares_an_8gram_with_an_experiment_prompt(default_prompts):
    train, held = default_prompts
    tests = experiment_prompts()
    assert any("poem" in t for t in tests) and any("rock" in t.lower() for t in tests)
    assert overlaps([p.prompt for p in train + held], tests) == []


def test_the_overlap_rule_catches_a_shared_8gram_and_a_contained_prompt():
    ifeval_prompt = IFEVAL.prompts()[0].prompt
    words = ifeval_prompt.split()
    leaked = "Please help. " + " ".join(words[:8])
    assert overlaps([leaked], [ifeval_prompt]) == [(leaked, ifeval_prompt)]
    assert overlaps(["Write a short poem about time."], ["poem about time"]) != []
    assert overlaps(["Tell me about owls."], [ifeval_prompt]) == []
    assert grams("one two three four five six seven eight") == {
        tuple("one two three four five six seven eight".split())
    }


def test_the_split_is_reproducible_and_never_mixes_training_with_heldout():
    train, held = split(3, 40, 30)
    again_train, again_held = split(3, 40, 30)
    assert [p.prompt for p in train] == [p.prompt for p in again_train]
    assert [p.prompt for p in held] == [p.prompt for p in again_held]
    assert len(train) == 40 and len(held) == 30
    assert not {p.prompt for p in train} & {p.prompt for p in held}
    assert [p.prompt for p in split(4, 40, 30)[0]] != [p.prompt for p in train]


def test_every_drawn_instruction_is_checked_by_ifevals_own_checker():
    known = IFEVAL.registry()
    for prompt in draw_prompts(11, 60):
        verdicts = verify(prompt, "some reply, written here", {}, known)
        assert [v.status for v in verdicts] == ["checked"] * len(prompt.instruction_ids), prompt


def test_sft_rows_take_a_passing_self_ended_reply_and_dpo_pairs_it_with_a_failing_one():
    known = IFEVAL.registry()
    prompt = next(p for p in draw_prompts(5, 200) if p.instruction_ids == ("punctuation:no_comma",))
    graded = [grade(prompt, [("one, two", True), ("no commas here", False), ("no commas at all", True)], known)]
    assert [c.passed for c in graded[0]] == [False, True, True]
    (row,) = sft_rows([prompt], graded)
    assert row["completion"][0]["content"] == "no commas at all"  # the capped reply is never chosen
    assert row["prompt"] == [{"role": "user", "content": prompt.prompt}]
    (pair,) = preference_rows([prompt], graded)
    assert pair["chosen"][0]["content"] == "no commas at all" and pair["rejected"][0]["content"] == "one, two"
    only_failures = [grade(prompt, [("a, b", True)], known)]
    assert sft_rows([prompt], only_failures) == [] and preference_rows([prompt], only_failures) == []
