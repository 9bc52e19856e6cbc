"""One registry: an experiment declared in one place (here, a toy one registered by the test) is
offered by the CLI with flags made from its declared settings, runs end to end, is accepted by
sweep files, listed by Results and offered as the scatter's y — with nothing else edited."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.support.scripted_pair import PAIR, ScriptedLoader
from unpredict_core import cli
from unpredict_core.errors import InvalidParameter, UnpredictError
from unpredict_core.experiments import Experiment, Score, experiments, get_experiment, register, unregister
from unpredict_core.params import check_declared, param, seed_param
from unpredict_core.results.scatter import y_scores
from unpredict_core.results.table import results_frame
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store
from unpredict_core.sweeps.file import parse_sweep


@dataclass(frozen=True)
class CoinParams:
    flips: int = param(4, min=1, max=64, help="coin flips per side")
    face: str = param("heads", choices=("heads", "tails"), help="the face counted")
    seed: int = seed_param()

    def validate(self) -> CoinParams:
        check_declared(self)
        return self

    def as_dict(self) -> dict:
        return {"flips": self.flips, "face": self.face, "seed": self.seed}


def flip(backend, fmt, request, params, progress):
    prompt = backend.render(request, fmt)
    p = backend.score_choices(prompt, ["heads", "tails"]).normalised()[params.face]
    return {"format": prompt.format, "format_note": prompt.note, "prompt": prompt.text, "metrics": {"p_face": p}}


COIN = Experiment(
    name="coin",
    version="1",
    title="Coin",
    params=CoinParams,
    default_request=lambda params, fmt: "Heads or tails?",
    run_side=flip,
    scores=(Score("coin_p", "P(face) (coin)", "p_face"),),
)


@pytest.fixture
def coin():
    register(COIN)
    yield COIN
    unregister(COIN.name)


def test_a_registered_experiment_reaches_every_entry_point(coin):
    assert get_experiment("coin") is coin and "coin" in experiments()
    args = cli.build_parser().parse_args(["run", "coin", "--flips", "9", "--face", "tails"])
    assert cli.params_for(args) == CoinParams(flips=9, face="tails")
    with pytest.raises(SystemExit):  # choices come from the declaration
        cli.build_parser().parse_args(["run", "coin", "--face", "edge"])
    sweep = parse_sweep('pairs = ["default"]\n[[experiment]]\nname = "coin"\nflips = [2, 3]\n')
    assert [item.params.flips for item in sweep.items] == [2, 3]
    assert "coin_p" in y_scores() and y_scores()["coin_p"].experiment == "coin"

    result = run_experiment("coin", PAIR, CoinParams(), store=Store(), load=ScriptedLoader())
    assert 0 <= result["sides"]["base"]["metrics"]["p_face"] <= 1 and not result["cached"]
    frame = results_frame(Store().query_runs(experiments=["coin"]))
    assert set(frame["experiment"]) == {"coin"} and "score.p_face" in frame


def test_flags_of_another_experiment_are_refused_not_ignored(coin):
    args = cli.build_parser().parse_args(["run", "coin", "--rounds", "5"])
    with pytest.raises(UnpredictError, match="--rounds does not apply to coin; its settings are --flips"):
        cli.params_for(args)


def test_a_name_is_registered_once_and_declared_bounds_hold(coin):
    with pytest.raises(ValueError, match="two experiments are named 'coin'"):
        register(Experiment("coin", "2", "Coin", CoinParams, COIN.default_request, flip))
    with pytest.raises(InvalidParameter, match="flips must be between 1 and 64"):
        CoinParams(flips=65).validate()
    with pytest.raises(InvalidParameter, match="Unknown face 'edge': use heads or tails"):
        CoinParams(face="edge").validate()


def test_every_shipped_experiment_is_found_without_a_list():
    assert {"random-integers", "rps", "hide-and-seek", "poetry", "rps-tournament", "ifbench"} <= set(experiments())
