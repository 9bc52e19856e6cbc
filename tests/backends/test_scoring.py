"""The exact scoring rule on a tiny local model, checked against an independent,
brute-force computation: one full forward per continuation, no KV cache, no batching."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.support.tiny_model import tiny_backend
from unpredict_core.backends.base import ANSWER_PREFIXES, SampleSettings, parse_choice
from unpredict_core.experiments.random_integers.metrics import chi2_consistency

ANSWERS = [str(i) for i in range(11)]


def brute_force(backend, prompt, answers):
    """P(answer) = Σ_variants P(tokens | prompt) · P(next token does not extend), token by token."""
    tok = backend.tokenizer
    prompt_ids = backend.encode(prompt)
    texts = tok.batch_decode([[i] for i in range(len(tok))])
    stop = torch.tensor([not (t and t[0].isalnum()) for t in texts])
    out = {}
    for answer in answers:
        total = 0.0
        for variant in ANSWER_PREFIXES:
            cont = tok(variant + answer, add_special_tokens=False)["input_ids"]
            ids = torch.tensor([prompt_ids + cont])
            with torch.no_grad():
                probs = torch.softmax(backend.model(ids).logits[0].double(), dim=-1)
            p = 1.0
            for k, token in enumerate(cont):
                p *= probs[len(prompt_ids) - 1 + k, token].item()
            p *= probs[-1][stop].sum().item()
            total += p
        out[answer] = total
    return out


@pytest.fixture(scope="module")
def tiny():
    return tiny_backend()


def test_exact_scores_match_brute_force_including_multi_token_answers(tiny):
    prompt = tiny.render("pick a number from 0 to 10:", "plain")
    scores = tiny.score_choices(prompt, ANSWERS)
    expected = brute_force(tiny, prompt, ANSWERS)
    got = np.array([scores.raw[a] for a in ANSWERS])
    want = np.array([expected[a] for a in ANSWERS])
    assert np.allclose(got, want, rtol=1e-4, atol=1e-9)
    assert scores.raw["10"] > 0 and scores.raw["1"] > 0


def test_one_and_ten_are_disjoint_events(tiny):
    """P("1" as answer) + P("10" as answer) never exceeds P(first token is "1")."""
    prompt = tiny.render("number:", "plain")
    scores = tiny.score_choices(prompt, ["1", "10"])
    ids = tiny.encode(prompt)
    with torch.no_grad():
        first = torch.softmax(tiny.model(torch.tensor([ids])).logits[0, -1].double(), dim=-1)
    one = tiny.tokenizer.convert_tokens_to_ids("1")
    assert scores.raw["1"] + scores.raw["10"] <= first[one].item() * (1 + 1e-5) + 1e-12
    assert 0 < scores.coverage <= 1


def test_normalised_distribution_sums_to_one_and_coverage_is_reported(tiny):
    scores = tiny.score_choices(tiny.render("x", "plain"), ANSWERS)
    assert sum(scores.normalised().values()) == pytest.approx(1.0)
    assert scores.coverage == pytest.approx(sum(scores.raw.values()))


def test_prefix_reuse_gives_the_same_scores_as_a_fresh_encode():
    reused, fresh = tiny_backend(), tiny_backend()
    short = reused.render("history: r p s", "plain")
    longer = reused.render("history: r p s r r, next:", "plain")
    reused.score_choices(short, ANSWERS)
    before = reused.prefill_tokens
    a = reused.score_choices(longer, ANSWERS)
    encoded_again = reused.prefill_tokens - before
    b = fresh.score_choices(longer, ANSWERS)
    assert np.allclose([a.raw[k] for k in ANSWERS], [b.raw[k] for k in ANSWERS], rtol=1e-4, atol=1e-10)
    assert encoded_again < len(reused.encode(longer)), "the shared prefix was encoded again"


def test_chat_format_uses_the_template_and_falls_back_without_one():
    with_template = tiny_backend(chat_template=True)
    rendered = with_template.render("hello", "chat")
    assert rendered.format == "chat" and rendered.text.endswith("assistant:")
    without = tiny_backend(chat_template=False)
    fallback = without.render("hello", "chat")
    assert fallback.format == "plain" and fallback.requested_format == "chat"
    assert "no chat template" in fallback.note


def test_sampling_is_deterministic_under_a_seed(tiny):
    prompt = tiny.render("seq:", "plain")
    settings = SampleSettings(max_new_tokens=4)
    assert tiny.sample(prompt, 50, seed=3, settings=settings) == tiny.sample(prompt, 50, seed=3, settings=settings)
    assert tiny.sample(prompt, 50, seed=3, settings=settings) != tiny.sample(prompt, 50, seed=4, settings=settings)


def test_sampled_answers_agree_with_the_exact_distribution(tiny):
    """Samples parsed by the same rule must be a draw from the exact distribution (χ² test)."""
    prompt = tiny.render("n:", "plain")
    scores = tiny.score_choices(prompt, ANSWERS)
    texts = tiny.sample(prompt, 4000, seed=0, settings=SampleSettings(max_new_tokens=4))
    parsed = [parse_choice(t, ANSWERS) for t in texts]
    counts = np.array([sum(p == a for p in parsed) for a in ANSWERS])
    valid = counts.sum()
    assert valid / len(texts) == pytest.approx(scores.coverage, abs=4 * np.sqrt(0.25 / len(texts)))
    result = chi2_consistency(counts, [scores.raw[a] for a in ANSWERS])
    assert result.pvalue > 1e-3, (counts, scores.normalised())


def test_prefix_reuse_stays_exact_past_a_sliding_window():
    """A history growing round by round, far beyond an 8-token sliding window (as gemma-3's
    512-token window in a long game): reused scores equal fresh ones, and reuse happened."""
    from tests.support.tiny_model import tiny_sliding_backend

    reused = tiny_sliding_backend()
    history, previous = "game:", []
    for round_index in range(12):
        prompt = reused.render(history + " next", "plain")
        ids = reused.encode(prompt)
        shared = next((i for i, (a, b) in enumerate(zip(previous, ids)) if a != b), min(len(previous), len(ids)))
        before = reused.prefill_tokens
        got = reused.score_choices(prompt, ANSWERS)
        fresh = tiny_sliding_backend().score_choices(prompt, ANSWERS)
        assert np.allclose([got.raw[a] for a in ANSWERS], [fresh.raw[a] for a in ANSWERS], rtol=1e-4, atol=1e-10)
        assert reused.prefill_tokens - before == len(ids) - shared, "only the new tokens are encoded"
        history, previous = history + f" r{round_index % 10} p s.", ids


def test_tree_scoring_is_used_and_matches_brute_force_past_a_sliding_window():
    """The single-row trie forward (not the batched fallback) scores a long prompt on a model whose
    sliding window (8 tokens) is far shorter than the prompt, exactly as full forwards do."""
    from tests.support.tiny_model import tiny_sliding_backend

    backend = tiny_sliding_backend()
    prompt = backend.render("game:" + " r3 p s." * 6 + " next", "plain")
    assert len(backend.encode(prompt)) > 3 * backend.model.config.sliding_window
    got = backend.score_choices(prompt, ANSWERS)
    assert backend._tree_ok is True, "the tree path disagreed with the batched path and was dropped"
    expected = brute_force(backend, prompt, ANSWERS)
    assert np.allclose([got.raw[a] for a in ANSWERS], [expected[a] for a in ANSWERS], rtol=1e-4, atol=1e-10)


def test_tree_and_batched_paths_agree_on_every_round_of_a_growing_history(tiny):
    tree, batched = tiny_backend(), tiny_backend()
    batched.tree_scoring = False
    history = "game:"
    for round_index in range(5):
        prompt = tree.render(history + " next", "plain")
        a, b = tree.score_choices(prompt, ANSWERS), batched.score_choices(prompt, ANSWERS)
        assert np.allclose([a.raw[x] for x in ANSWERS], [b.raw[x] for x in ANSWERS], rtol=1e-4, atol=1e-10)
        history += f" r{round_index} p s."
    assert tree._tree_ok is True and batched._tree_ok is None


def full_rule(backend, prompt, text):
    """lm-eval's rule on the whole string, as `_continuation_ids` applied it before the tail shortcut."""
    from unpredict_core.backends.base import RenderedPrompt

    ids = backend.encode(prompt)
    whole = backend.encode(RenderedPrompt(prompt.text + text, prompt.format, prompt.requested_format))
    if whole[: len(ids)] == ids and len(whole) > len(ids):
        return whole[len(ids) :]
    return backend.tokenizer(text, add_special_tokens=False)["input_ids"]


@pytest.mark.real_models
def test_tail_tokenisation_after_the_last_special_token_equals_the_whole_string_rule(real_backends):
    """The shortcut that keeps a long chat game's rounds cheap gives exactly the tokens of the
    full rule, on the real chat tokenizer, for answers that merge with the prompt's end or not."""
    backend = real_backends["aligned"]
    history = "".join(f"Round {i}: you played rock, I played paper.\n" for i in range(30))
    prompt = backend.render(history + "Your move (rock, paper or scissors)?", "chat")
    assert backend._tail_after_special(prompt.text) is not None
    ids = backend.encode(prompt)
    for answer in ["rock", "Rock", " paper", "\nscissors", "7", " 10", "ROCK!", "\n\n"]:
        assert backend._continuation_ids(ids, prompt, answer) == full_rule(backend, prompt, answer), answer
