"""The real default pair (gemma-3-270m base, SmolLM2-135M-Instruct) from its PyPI packages."""

from __future__ import annotations

import numpy as np
import pytest

from unpredict_core.backends.base import parse_choice
from unpredict_core.backends.models import DEFAULT_PAIR
from unpredict_core.experiments import random_integers as ri
from unpredict_core.experiments.random_integers.metrics import chi2_consistency
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store

pytestmark = pytest.mark.real_models
ANSWERS = list(ri.ANSWERS)


@pytest.mark.parametrize("role", ["base", "aligned"])
def test_exact_distribution_is_a_distribution_and_deterministic(real_backends, role):
    backend = real_backends[role]
    fmt = DEFAULT_PAIR.side(role).default_format
    prompt = backend.render(ri.default_request(ri.Params(), fmt), fmt)
    first = backend.score_choices(prompt, ANSWERS)
    again = backend.score_choices(prompt, ANSWERS)
    assert sum(first.normalised().values()) == pytest.approx(1.0)
    assert 0 < first.coverage <= 1
    assert first.raw == again.raw


def test_the_pair_uses_each_sides_own_format(real_backends):
    result = run_experiment("random-integers", DEFAULT_PAIR, ri.Params(), store=Store(), load=real_backends["loader"])
    base, aligned = result["sides"]["base"], result["sides"]["aligned"]
    assert base["format"] == "plain" and base["prompt"] == base["request"]
    assert aligned["format"] == "chat" and "<|im_start|>assistant" in aligned["prompt"]
    # the measured sanity values for this prompt family: gemma's mode is 0 or 1, P(7) small
    assert max(base["answers"], key=base["answers"].get) in {"0", "1"}
    assert base["metrics"]["p7"] < 0.1
    assert aligned["coverage"] < base["coverage"]


def test_sampled_counts_agree_with_the_exact_distribution(real_backends):
    """χ² test of sampled answers against the exact distribution on a real model."""
    backend = real_backends["aligned"]
    prompt = backend.render(ri.default_request(ri.Params(), "plain"), "plain")
    exact = backend.score_choices(prompt, ANSWERS)
    texts = backend.sample(prompt, 640, seed=11, settings=ri.SINGLE_SAMPLING)
    parsed = [parse_choice(t, ANSWERS) for t in texts]
    counts = np.array([parsed.count(a) for a in ANSWERS])
    assert counts.sum() / len(texts) == pytest.approx(exact.coverage, abs=0.08)
    assert chi2_consistency(counts, [exact.raw[a] for a in ANSWERS]).pvalue > 1e-3


def test_sampled_mode_and_sequences_run_on_the_real_pair(real_backends):
    store, loader = Store(), real_backends["loader"]
    sampled = run_experiment(
        "random-integers",
        DEFAULT_PAIR,
        ri.Params(mode="sampled", n=20, seed=1, max_attempts=200),
        store=store,
        load=loader,
    )
    for side in sampled["sides"].values():
        assert sum(side["counts"].values()) + side["invalid"] == side["attempts"]
        assert sum(side["counts"].values()) <= 30
    sequences = run_experiment(
        "random-integers",
        DEFAULT_PAIR,
        ri.Params(mode="sequences", n=2, seed=1, max_attempts=24),
        store=store,
        load=loader,
    )
    base = sequences["sides"]["base"]
    assert len(base["repetitions"]) == 10 and sum(base["repetitions"]) == len(base["sequences"])


@pytest.mark.parametrize("experiment", ["rps", "hide-and-seek"])
def test_a_short_game_on_the_real_pair(real_backends, experiment):
    from unpredict_core.experiments.games import hide_and_seek, rps

    params = rps.Params(rounds=3, seed=2) if experiment == "rps" else hide_and_seek.Params(rounds=3, seed=2)
    result = run_experiment(experiment, DEFAULT_PAIR, params, store=Store(), load=real_backends["loader"])
    for side in result["sides"].values():
        assert len(side["rounds"]) == 3
        for r in side["rounds"]:
            assert sum(r["p"].values()) == pytest.approx(1.0) and 0 < r["coverage"] <= 1
        assert -100 <= side["net_score"] <= 100
    assert "Round 1" in result["sides"]["base"]["prompt"]
