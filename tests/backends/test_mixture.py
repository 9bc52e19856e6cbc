"""The mixed side between base and aligned: two tiny random models sharing one tokenizer, built here.

The ends of the dial are the two sides exactly; inside, the token mixture equals a brute-force
product of mixed step distributions over the answer trie, the weight interpolation equals a model
built from the averaged state dict, and the answer mixture is the normalised geometric mixture.
"""

from __future__ import annotations

import math

import pytest
import torch

from tests.support.scripted_pair import PAIR as SCRIPTED_PAIR
from tests.support.scripted_pair import ScriptedLoader
from tests.support.tiny_model import build_model, build_tokenizer, tiny_backend
from unpredict_core.backends.base import ANSWER_PREFIXES, extends_answer
from unpredict_core.backends.hf.backend import TransformersBackend
from unpredict_core.backends.mixture import allowed_kinds, check_alpha, choose_kind
from unpredict_core.backends.mixture.answers import AnswerMixture
from unpredict_core.backends.mixture.token import TokenMixture
from unpredict_core.backends.mixture.weights import interpolate
from unpredict_core.backends.models import ModelPair, ModelSpec
from unpredict_core.backends.scripted import ScriptedBackend, constant
from unpredict_core.dial import run_with_mixed
from unpredict_core.errors import InvalidParameter
from unpredict_core.experiments import random_integers as ri
from unpredict_core.experiments.games import rps
from unpredict_core.runs import cache_key, run_experiment, side_requests
from unpredict_core.store.database import Store

CHOICES = ["1", "2", "10", "7"]
REQUEST = "pick 1 2 7 or 10:"


@pytest.fixture(scope="module")
def sides():
    return tiny_backend(seed=0, scale=8.0), tiny_backend(seed=1, scale=8.0)


def prompts(base, aligned):
    return base.render(REQUEST, "plain"), aligned.render(REQUEST, "chat")


def test_token_mixture_ends_are_the_two_sides_exactly(sides):
    base, aligned = sides
    pb, pa = prompts(base, aligned)
    assert TokenMixture(base, aligned, 0.0).score(pb, pa, CHOICES).raw == base.score_choices(pb, CHOICES).raw
    assert TokenMixture(base, aligned, 1.0).score(pb, pa, CHOICES).raw == aligned.score_choices(pa, CHOICES).raw
    near = TokenMixture(base, aligned, 1e-6).score(pb, pa, CHOICES).raw  # the mixing path, just off the end
    assert near == pytest.approx(base.score_choices(pb, CHOICES).raw, rel=1e-3)


def _brute_force(base, aligned, pb, pa, alpha: float) -> dict[str, float]:
    """Full forwards, no cache, no trie: Π_k p_α(t_k | …) · p_α(a non-extending token | answer)."""
    tok = base.tokenizer
    ids_b, ids_a = base.encode(pb), aligned.encode(pa)
    stop = torch.tensor([not extends_answer(tok.decode([i])) for i in range(len(tok))])

    def step(model, ids):
        with torch.no_grad():
            return torch.log_softmax(model(input_ids=torch.tensor([ids])).logits[0, -1].float(), dim=-1)

    def mixed(cont):
        lb, la = step(base.model, ids_b + cont), step(aligned.model, ids_a + cont)
        return torch.softmax((1 - alpha) * lb + alpha * la, dim=-1)

    out = {}
    for choice in CHOICES:
        total = 0.0
        for variant in ANSWER_PREFIXES:
            cont = tok(variant + choice, add_special_tokens=False)["input_ids"]
            p = 1.0
            for k, token in enumerate(cont):
                p *= float(mixed(cont[:k])[token])
            total += p * float(mixed(cont)[stop].sum())
        out[choice] = total
    return out


def test_token_mixture_at_half_matches_brute_force_over_the_answer_trie(sides):
    base, aligned = sides
    pb, pa = prompts(base, aligned)
    got = TokenMixture(base, aligned, 0.5).score(pb, pa, CHOICES).raw
    want = _brute_force(base, aligned, pb, pa, 0.5)
    assert got == pytest.approx(want, rel=1e-4, abs=1e-9)
    assert got != pytest.approx(base.score_choices(pb, CHOICES).raw, rel=1e-2)  # really a third distribution


def test_weight_interpolation_at_half_is_the_averaged_state_dict(sides):
    base, aligned = sides
    mixed = interpolate(base, aligned, 0.5)
    averaged = build_model(len(base.tokenizer), seed=5)
    sb, sa = base.model.state_dict(), aligned.model.state_dict()
    averaged.load_state_dict({k: (sb[k] + sa[k]) / 2 for k in sb})
    probe = torch.tensor([[1, 5, 9, 12, 30]])
    with torch.no_grad():
        assert torch.allclose(mixed.model(input_ids=probe).logits, averaged(input_ids=probe).logits, atol=1e-5)
    assert base.model.state_dict()["lm_head.weight"].equal(sb["lm_head.weight"])  # the sides are untouched
    assert interpolate(base, aligned, 0.0) is base and interpolate(base, aligned, 1.0) is aligned


def test_weight_interpolation_refuses_when_it_will_not_fit(sides):
    with pytest.raises(InvalidParameter, match=r"needs .* GiB .* will not fit"):
        interpolate(*sides, 0.5, free=1000)


def test_answer_mixture_is_the_normalised_geometric_mixture():
    base = ScriptedBackend(constant({"1": 0.5, "2": 0.3}), "b")
    aligned = ScriptedBackend(constant({"1": 0.1, "2": 0.8}), "a")
    prompt = base.render("x", "plain")
    raw = AnswerMixture(base, aligned, 0.25).score(prompt, prompt, ["1", "2"]).raw
    assert raw["1"] == pytest.approx(0.5**0.75 * 0.1**0.25)
    assert raw["2"] == pytest.approx(0.3**0.75 * 0.8**0.25)
    assert sum(raw.values()) <= 0.8**0.75 * 0.9**0.25 + 1e-12  # Hölder: a sub-distribution


def test_a_lockstep_game_at_the_ends_replays_each_side(sides):
    """RPS builds each round's prompt in its side's format; α=0 and 1 replay base and aligned."""
    base, aligned = sides
    pair = ModelPair("tiny", ModelSpec("b", "scripted", "b"), ModelSpec("a", "scripted", "a", default_format="chat"))
    loader = lambda spec, progress=None: base if spec.location == "b" else aligned
    params = rps.Params(rounds=3, seed=2)
    for alpha, role in ((0.0, "base"), (1.0, "aligned")):
        result = run_with_mixed("rps", pair, params, alpha=alpha, store=Store(), load=loader)
        mixed, side = result["sides"]["mixed"], result["sides"][role]
        assert mixed["mixture"] == "token" and mixed["alpha"] == alpha
        # the same moves and outcomes; probabilities to float rounding (a warm KV cache is reused
        # from another cut of the history than in the side's own run)
        assert [r["model_move"] for r in mixed["rounds"]] == [r["model_move"] for r in side["rounds"]]
        assert [r["outcome"] for r in mixed["rounds"]] == [r["outcome"] for r in side["rounds"]]
        for mine, theirs in zip(mixed["rounds"], side["rounds"]):
            assert mine["p"] == pytest.approx(theirs["p"], rel=1e-6, abs=1e-12)
    half = run_with_mixed("rps", pair, params, alpha=0.5, store=Store(), load=loader)["sides"]["mixed"]
    assert half["prompt"].startswith(rps.INTRO["plain"]) and "assistant:" in half["aligned_prompt"]


def test_scripted_pair_gets_the_answer_mixture_and_is_cached_under_alpha():
    store, loader = Store(), ScriptedLoader()
    params = ri.Params()
    result = run_with_mixed("random-integers", SCRIPTED_PAIR, params, alpha=0.5, store=store, load=loader)
    mixed = result["sides"]["mixed"]
    assert mixed["mixture"] == "answers" and "answer mixture" in mixed["model"]
    assert set(result["sides"]) == {"base", "aligned", "mixed"}
    b, a = result["sides"]["base"]["raw"], result["sides"]["aligned"]["raw"]
    geo = {k: math.sqrt(b[k] * a[k]) for k in b}
    assert mixed["answers"] == pytest.approx({k: v / sum(geo.values()) for k, v in geo.items()})
    calls = loader.calls
    again = run_with_mixed("random-integers", SCRIPTED_PAIR, params, alpha=0.5, store=store, load=loader)
    assert again["cached"] and loader.calls == calls
    other = run_with_mixed("random-integers", SCRIPTED_PAIR, params, alpha=0.25, store=store, load=loader)
    assert not other["cached"] and other["sides"]["mixed"]["answers"] != mixed["answers"]
    # the pair's own run keeps its key and its two sides
    key = cache_key("random-integers", params, side_requests("random-integers", SCRIPTED_PAIR, params), loader)
    assert set(store.find_run(key)["sides"]) == {"base", "aligned"}
    assert run_experiment("random-integers", SCRIPTED_PAIR, params, store=store, load=loader)["cached"]


@pytest.mark.parametrize("alpha", [1.5, -0.1, float("nan"), "0.5", None, True])
def test_alpha_must_be_a_number_in_the_unit_interval(alpha):
    with pytest.raises(InvalidParameter, match="α must be"):
        check_alpha(alpha)


def test_token_mixture_on_differing_tokenizers_says_what_the_pair_allows(sides):
    tokenizer = build_tokenizer()
    shuffled = TransformersBackend(build_model(len(tokenizer), seed=3), _reordered(tokenizer), label="x", identity="x")
    allowed = allowed_kinds(sides[0], shuffled)
    with pytest.raises(InvalidParameter, match="tokenizers differ.*allows: weight interpolation, answer mixture"):
        choose_kind("token", allowed)
    scripted = ScriptedBackend(constant({"1": 1.0}), "scripted")
    with pytest.raises(InvalidParameter, match="allows: answer mixture$|allows: answer mixture\\."):
        choose_kind("token", allowed_kinds(sides[0], scripted))


def _reordered(tokenizer):
    """The same characters under other ids: same size, different tokenizer."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = tokenizer.get_vocab()
    names = sorted(vocab, key=vocab.get)
    swapped = {name: i for i, name in enumerate(names[:4] + names[4:][::-1])}
    core = Tokenizer(models.WordLevel(swapped, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    core.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(tokenizer_object=core, bos_token="<s>", eos_token="</s>", unk_token="<unk>")


def test_weights_of_different_shapes_are_refused(sides):
    from transformers import LlamaConfig, LlamaForCausalLM

    wide = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=len(sides[0].tokenizer),
            hidden_size=48,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
        )
    )
    other = TransformersBackend(wide, sides[0].tokenizer, label="wide", identity="wide")
    with pytest.raises(InvalidParameter, match="different shapes"):
        interpolate(sides[0], other, 0.5)
    assert allowed_kinds(sides[0], other).kinds == ("token", "answers")


def test_a_mixture_with_no_mass_on_the_answers_is_refused():
    base = ScriptedBackend(constant({"1": 1.0}), "b")
    aligned = ScriptedBackend(constant({"2": 1.0}), "a")
    prompt = base.render("x", "plain")
    with pytest.raises(InvalidParameter, match="no mass on any answer"):
        AnswerMixture(base, aligned, 0.5).score(prompt, prompt, ["1", "2"])


def test_the_answer_mixture_offers_no_free_text_experiment():
    """Refused before anything runs: the kind is resolved (auto) before the two-sided run."""
    store, loader = Store(), ScriptedLoader()
    with pytest.raises(InvalidParameter, match="writes no text"):
        run_with_mixed(
            "random-integers", SCRIPTED_PAIR, ri.Params(mode="sampled", n=5), alpha=0.5, store=store, load=loader
        )
    assert store.count_runs() == 0 and loader.calls == 0


def test_token_mixture_samples_reproducibly_and_parses_like_one_side(sides):
    base, aligned = sides
    pb, pa = prompts(base, aligned)
    mixer = TokenMixture(base, aligned, 0.5)
    first = mixer.sample(pb, pa, 12, seed=4, settings=ri.SINGLE_SAMPLING)
    assert first == mixer.sample(pb, pa, 12, seed=4, settings=ri.SINGLE_SAMPLING) and len(first) == 12
    assert len(mixer.generate([pb], [pa], max_new_tokens=3)) == 1


def _tiny_pair(sides):
    pair = ModelPair("tiny", ModelSpec("b", "scripted", "b"), ModelSpec("a", "scripted", "a", default_format="chat"))
    return pair, lambda spec, progress=None: sides[0] if spec.location == "b" else sides[1]


def test_free_text_experiments_run_on_a_token_mixture(sides):
    """Poetry (sampled) and IFBench (greedy generation) through the token mixture, inside the dial."""
    from unpredict_core.experiments import ifbench, poetry

    pair, loader = _tiny_pair(sides)
    poems = poetry.Params(topics=("sea",), samples=2, max_new_tokens=8, embeddings=False)
    mixed = run_with_mixed("poetry", pair, poems, alpha=0.5, store=Store(), load=loader)["sides"]["mixed"]
    assert mixed["mixture"] == "token" and len(mixed["poems"]) == 2
    answered = run_with_mixed(
        "ifbench", pair, ifbench.Params(limit=1, max_new_tokens=16), alpha=0.5, store=Store(), load=loader
    )
    assert answered["sides"]["mixed"]["mixture"] == "token" and len(answered["sides"]["mixed"]["prompts"]) == 1


@pytest.mark.real_models
def test_the_default_pair_gets_the_answer_mixture_with_its_label(real_backends):
    from unpredict_core.backends.models import DEFAULT_PAIR

    result = run_with_mixed(
        "random-integers", DEFAULT_PAIR, ri.Params(), alpha=0.5, store=Store(), load=real_backends["loader"]
    )
    mixed = result["sides"]["mixed"]
    assert mixed["mixture"] == "answers" and mixed["allowed_mixtures"] == ["answers"]
    assert mixed["model"] == "mixed α=0.5 (answer mixture)"
    assert "answers only" in mixed["mixture_claim"] and sum(mixed["answers"].values()) == pytest.approx(1.0)
