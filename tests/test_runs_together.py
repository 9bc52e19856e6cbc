"""Runs computed together: each equals the same run computed alone (tiny test models, in lockstep
batches), is stored under the key a single run has, and a sweep's seeds are played together."""

from __future__ import annotations

import io

import pytest

from tests.support.tiny_model import tiny_backend
from unpredict_core.backends.models import ModelPair, ModelSpec
from unpredict_core.backends.scripted_pairs import ENABLE_ENV, ScriptedAwareLoader
from unpredict_core.experiments.games import hide_and_seek, rps
from unpredict_core.runs import run_experiment
from unpredict_core.runs_together import run_together
from unpredict_core.store.database import Store
from unpredict_core.sweeps.file import parse_sweep
from unpredict_core.sweeps.runner import run_sweep

PAIR = ModelPair(
    "tiny",
    ModelSpec("tiny base", "scripted", "base"),
    ModelSpec("tiny aligned", "scripted", "aligned", default_format="chat"),
)


def tiny_loader():
    """Each side a tiny transformers model of its own (the same two for every run)."""
    backends = {"base": tiny_backend(seed=1), "aligned": tiny_backend(seed=2)}
    return lambda spec, progress: backends[spec.location]


def assert_same_rounds(together: dict, alone: dict, move_key: str) -> None:
    for role in ("base", "aligned"):
        a, b = together["sides"][role]["rounds"], alone["sides"][role]["rounds"]
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert x[move_key] == y[move_key]
            assert max(abs(x["p"][m] - y["p"][m]) for m in x["p"]) < 1e-5


RPS_RUNS = [rps.Params("markov1", 4, 0), rps.Params("markov1", 4, 1), rps.Params("greedy", 4, 2), rps.Params(rounds=6)]
HIDE_RUNS = [
    hide_and_seek.Params(rounds=4, seed=0),
    hide_and_seek.Params(rounds=5, seed=1),
    hide_and_seek.Params(spots=3),
]


@pytest.mark.parametrize(
    ("experiment", "runs", "move_key", "played_with"),
    [
        ("rps", RPS_RUNS, "model_move", [4, 4, 4, 4]),
        ("hide-and-seek", HIDE_RUNS, "hide", [2, 2, None]),  # 3 spots: another request, played apart
    ],
)
def test_runs_together_equal_runs_alone_and_share_their_keys(tmp_path, experiment, runs, move_key, played_with):
    together_store, alone_store = Store(tmp_path / "together.duckdb"), Store(tmp_path / "alone.duckdb")
    load = tiny_loader()
    together = run_together(experiment, PAIR, runs, store=together_store, load=load)
    assert [r["params"] for r in together] == [p.as_dict() for p in runs]
    assert [r.get("together", {}).get("runs") for r in together] == played_with
    assert not any(r["cached"] for r in together)
    for params, batched in zip(runs, together, strict=True):
        alone = run_experiment(experiment, PAIR, params, store=alone_store, load=load)
        assert "together" not in alone
        assert_same_rounds(batched, alone, move_key)
        again = run_experiment(experiment, PAIR, params, store=together_store, load=load)  # the key a single run has
        assert again["cached"] and again["run_id"] == batched["run_id"]
    again = run_together(experiment, PAIR, runs, store=together_store, load=load)
    assert [r["run_id"] for r in again] == [r["run_id"] for r in together] and all(r["cached"] for r in again)


def test_a_sweeps_seeds_are_played_together_and_resume(tmp_path, monkeypatch):
    monkeypatch.setenv(ENABLE_ENV, "1")
    monkeypatch.setenv("UNPREDICT_LOCKSTEP_BATCH", "3")
    text = 'pairs = ["scripted"]\nseeds = [0, 1, 2, 3]\n[[experiment]]\nname = "rps"\nrounds = 3\n'
    text += 'adversary = ["greedy", "markov1"]\n'
    sweep = parse_sweep(text)
    store, out = Store(tmp_path / "sweep.duckdb"), io.StringIO()
    summary = run_sweep(sweep, store=store, load=ScriptedAwareLoader(lambda spec, progress: None), out=out)
    assert summary.count("done") == 8 and not summary.failed
    runs = store.query_runs()
    assert sorted(r["together"]["runs"] for r in runs) == [2, 2, 3, 3, 3, 3, 3, 3]
    assert "3 runs together" in out.getvalue()
    again = run_sweep(parse_sweep(text), store=store, load=ScriptedAwareLoader(lambda spec, progress: None), out=out)
    assert again.count("cached") == 8 and again.count("done") == 0
