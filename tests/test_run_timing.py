"""A run's duration is the measurement alone: loading the models is timed apart; a cancelled run
stores nothing."""

from __future__ import annotations

import time

import pytest

from tests.support.scripted_pair import PAIR, ScriptedLoader
from unpredict_core.experiments import random_integers as ri
from unpredict_core.progress import Cancelled, cancellable
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store


class SlowLoader(ScriptedLoader):
    """Takes 0.3 s to 'load' each model, as a cold start converting weights would."""

    def __call__(self, spec, progress=None):
        time.sleep(0.3)
        return super().__call__(spec, progress)


def test_loading_is_reported_apart_from_the_run():
    result = run_experiment(ri.NAME, PAIR, ri.Params(), store=Store(), load=SlowLoader())
    assert result["load_s"] >= 0.6
    assert result["duration_s"] < 0.3  # exact scoring of a scripted model: milliseconds


def test_a_cancelled_run_stores_nothing():
    store = Store()
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 3  # after a few steps, as a person pressing Cancel

    with pytest.raises(Cancelled):
        run_experiment(
            ri.NAME,
            PAIR,
            ri.Params(mode="sampled", n=50),
            store=store,
            load=ScriptedLoader(),
            progress=cancellable(lambda f, m: None, stop),
        )
    assert store.count_runs() == 0


def test_time_left_follows_the_share_done():
    from unpredict_core.progress import rate_and_estimate, time_left

    assert time_left(0.25, 60.0) == "60 s elapsed, about 3 min left"
    assert time_left(0.01, 60.0) == ""  # too early to say
    assert rate_and_estimate(50, 200, 10.0) == "5.0 attempts/s, about 30 s left"
    assert rate_and_estimate(0, 200, 10.0) == "estimating the pace…"


def test_runs_computed_together_load_once_and_say_their_time_is_a_share():
    from unpredict_core.backends import scripted_pairs
    from unpredict_core.experiments.games import rps
    from unpredict_core.runs_together import run_together
    from unpredict_ui.running import timing_text

    scripted = scripted_pairs.ScriptedAwareLoader(None)

    def slow(spec, progress):
        time.sleep(0.3)
        return scripted(spec, progress)

    runs = [rps.Params(rounds=2, seed=seed) for seed in range(3)]
    results = run_together(rps.NAME, scripted_pairs.PAIR, runs, store=Store(), load=slow)
    together = results[0]["together"]
    assert together["runs"] == 3 and 0.6 <= together["load_s"] < 1.2  # each side loaded once for the three
    assert results[0]["load_s"] == pytest.approx(together["load_s"] / 3)
    assert "computed together with 2 other runs" in timing_text(results[0])
