"""Honest numbers at small n: intervals that keep a width, χ² at its own n, progress that counts
attempts, and a run cut short by its attempt cap that says so (scripted models, no weights)."""

from __future__ import annotations

from tests.support.scripted_pair import PAIR, ScriptedLoader
from unpredict_core.experiments import random_integers as ri
from unpredict_core.experiments.random_integers.metrics import clopper_pearson
from unpredict_core.run_notes import side_notes
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store


def test_clopper_pearson_keeps_a_width_at_zero_and_all():
    low, high = clopper_pearson(0, 10)
    assert low == 0.0 and 0.30 < high < 0.31  # 1 − 0.025^(1/10)
    low, high = clopper_pearson(10, 10)
    assert 0.69 < low < 0.70 and high == 1.0


def test_sampled_intervals_do_not_collapse_and_chi2_carries_its_n():
    params = ri.Params(mode="sampled", n=10, seed=3)
    result = run_experiment(ri.NAME, PAIR, params, store=Store(), load=ScriptedLoader())
    side = result["sides"]["aligned"]  # the seven-lover: most answers are 7, none is 0
    assert side["counts"]["0"] == 0
    low, high = side["answer_intervals"]["0"]
    assert low == 0.0 and high > 0.25  # not "0.0 % [0.0 %–0.0 %]"
    for name in ("kl", "tv", "entropy_bits", "p7"):
        low, high = side["intervals"][name]
        assert high - low > 0.05, name
    assert side["metrics"]["chi2_n"] == 10 and "Clopper-Pearson" in side["interval_methods"]["answers"]
    assert "stopped_short" not in side


def test_a_run_cut_short_by_its_cap_says_so_and_progress_counts_attempts():
    messages: list[str] = []
    params = ri.Params(mode="sampled", n=10, seed=0, max_attempts=6)
    result = run_experiment(
        ri.NAME, PAIR, params, store=Store(), load=ScriptedLoader(), progress=lambda f, m: messages.append(m)
    )
    short = result["sides"]["aligned"]["stopped_short"]  # 30 % of its mass is not an answer
    assert short["asked"] == 10 and short["valid"] < 10 and short["attempts"] == 6
    assert any(note.startswith("stopped short: ") for note in side_notes(result["sides"]["aligned"]))  # the CLI's
    assert any("attempts (cap 6)" in m and "/s" in m and "left" in m for m in messages), messages[-3:]
