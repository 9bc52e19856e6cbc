"""Rock-paper-scissors tournaments: each game equals the single game, one side may sit out, runs
are stored, cached and sweepable, bad input gets a message, the CLI's JSON on the default pair,
and the page's table and heat map (AppTest)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from tests.support.ui_support import clear_streamlit_caches, open_page, texts  # noqa: F401  (autouse fixture)
from unpredict_core.backends.models import ModelPair, ModelSpec
from unpredict_core.backends.scripted import ScriptedBackend, constant
from unpredict_core.backends.scripted_pairs import ENABLE_ENV, ScriptedAwareLoader
from unpredict_core.errors import InvalidParameter
from unpredict_core.experiments.games import roshambo, rps, rps_tournament
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store
from unpredict_core.sweeps.file import parse_sweep
from unpredict_core.sweeps.runner import run_sweep
from unpredict_ui.games.tournament import exploiters_frame, heatmap_figure, tournament_frame

PAGE = "pages/7_RPS_Tournament.py"
PAIR = ModelPair(
    "scripted",
    ModelSpec("fake base", "scripted", "base"),
    ModelSpec("fake aligned", "scripted", "aligned", default_format="chat"),
)
SCRIPTS = {"base": constant({" rock": 0.34, " paper": 0.33, " scissors": 0.33}), "aligned": constant({"rock": 0.9})}
needs_bots = pytest.mark.skipif(roshambo.unavailable_reason() is not None, reason="open-spiel is not installed")


def loader():
    backends = {role: ScriptedBackend(script, f"fake {role}") for role, script in SCRIPTS.items()}
    loaded = []

    def load(spec, progress):
        loaded.append(spec.location)
        return backends[spec.location]

    return load, loaded


def tournament(**params) -> tuple[dict, list[str]]:
    load, loaded = loader()
    return run_experiment("rps-tournament", PAIR, rps_tournament.Params(**params), store=Store(), load=load), loaded


def test_opponent_lists_expand_in_order_once_each():
    ours = rps_tournament.OURS
    assert rps_tournament.expand_opponents("ours") == ours
    assert rps_tournament.expand_opponents(("greedy", "ours")) == ours
    if roshambo.unavailable_reason() is None:
        field = rps_tournament.expand_opponents("all,greedy,iocainebot")
        assert len(field) == 44 and field[-1] == "greedy" and field.count("roshambo:iocainebot") == 1


@needs_bots
def test_each_game_is_the_single_game_and_the_views_read_it():
    result, _ = tournament(opponents=("greedy", "roshambo:rockbot", "iocaine"), rounds=12, seed=4)
    for role in ("base", "aligned"):
        games = {g["opponent"]: g for g in result["sides"][role]["games"]}
        assert list(games) == ["greedy", "roshambo:rockbot", "iocaine"]
        load, _ = loader()
        single = run_experiment("rps", PAIR, rps.Params(adversary="roshambo:rockbot", rounds=12, seed=4),
                                store=Store(), load=load)["sides"][role]  # fmt: skip
        assert games["roshambo:rockbot"]["rounds"] == single["rounds"]
        assert games["roshambo:rockbot"]["net_score"] == single["net_score"]
    aligned = result["sides"]["aligned"]
    assert games["greedy"]["net_score"] == -100.0 and aligned["games_lost"] >= 1  # 90 % rock loses to greedy
    frame = tournament_frame(result).set_index("Opponent")
    assert frame.loc["rockbot", "Group"] == "RoShamBo bot" and frame.loc["greedy", "Aligned net"] == -100.0
    assert heatmap_figure(result).data[0].z[0] == [frame.loc["greedy", "Base net"], -100.0]
    assert exploiters_frame(result).query("Side == 'Aligned'").iloc[0]["Opponent"] == "greedy"
    again, loaded = tournament(opponents=("greedy", "roshambo:rockbot", "iocaine"), rounds=12, seed=4)
    assert again["cached"] and again["run_id"] == result["run_id"] and not loaded


def test_one_side_only_loads_and_plays_only_that_side():
    result, loaded = tournament(opponents=("ours",), rounds=3, sides="base")
    assert loaded == ["base"]
    assert result["sides"]["aligned"]["skipped"] == "not played (sides = base)"
    assert len(result["sides"]["base"]["games"]) == len(rps_tournament.OURS)
    assert [r["experiment"] for r in Store().list_runs()] == ["rps-tournament"]  # stored: Results lists it


@pytest.mark.parametrize(
    "params,message",
    [
        ({"opponents": ()}, "needs at least one opponent"),
        ({"opponents": (" ", "")}, "needs at least one opponent"),
        ({"opponents": ("ours",), "rounds": 1001}, "rounds must be between 1 and 1,000"),
        ({"opponents": ("ours",), "sides": "neither"}, "Unknown sides .neither.: use both, base or aligned"),
        ({"opponents": ("grenberg",)}, "Unknown opponent 'grenberg'"),
    ],
)
def test_bad_tournaments_are_refused_before_anything_runs(params, message):
    with pytest.raises(InvalidParameter, match=message):
        tournament(**params)


@needs_bots
def test_unknown_bot_lists_close_matches():
    with pytest.raises(InvalidParameter, match="Close matches: roshambo:greenberg"):
        rps_tournament.Params(opponents=("roshambo:grenberg",)).validate()


def test_without_openspiel_all_is_refused_with_the_reason(monkeypatch):
    monkeypatch.setattr(roshambo, "MODULE", "no_such_module_here")
    with pytest.raises(InvalidParameter, match="pip install open-spiel"):
        rps_tournament.Params(opponents=("all",)).validate()
    at = open_page(PAGE)
    assert "not installed here" in texts(at) and not at.exception


def test_a_sweep_runs_tournaments_and_resumes(monkeypatch):
    monkeypatch.setenv(ENABLE_ENV, "1")
    text = 'pairs = ["scripted"]\nseeds = [0, 1]\n[[experiment]]\nname = "rps-tournament"\n'
    text += 'opponents = ["ours"]\nrounds = 2\n'
    store = Store()
    first = run_sweep(parse_sweep(text), store=store, load=ScriptedAwareLoader(None), out=io.StringIO())
    assert (first.count("done"), first.count("failed")) == (2, 0), first.text()
    again = run_sweep(parse_sweep(text), store=store, load=ScriptedAwareLoader(None), out=io.StringIO())
    assert again.count("cached") == 2


def test_cli_refuses_zero_opponents_and_lists_bots():
    run = [sys.executable, "-m", "unpredict_core", "run", "rps-tournament", "--opponents", ",", "--json"]
    out = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "error: A tournament needs at least one opponent" in out.stderr and not out.stdout
    if roshambo.unavailable_reason() is None:
        bots = subprocess.run([sys.executable, "-m", "unpredict_core", "bots"], capture_output=True, text=True)
        assert bots.stdout.split() == [roshambo.PREFIX + n for n in roshambo.BOT_NAMES]


def test_page_shows_a_tournament_result():
    result, _ = tournament(opponents=("ours",), rounds=6, seed=1)
    at = open_page(PAGE)
    assert at.title[0].value == "Rock-paper-scissors tournament" and not at.error
    at.session_state["rps-tournament"] = {"result": result, "settings": {}}
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "Measured here: 6 opponents × 6 rounds" in shown and "our reconstruction" in shown
    frame = at.dataframe[0].value
    assert list(frame["Opponent"]) == list(rps_tournament.OURS)
    assert len(at.get("plotly_chart")) == 2  # the heat map and predictability across the field


@needs_bots
@pytest.mark.real_models
def test_cli_json_on_the_default_pair():
    run = [sys.executable, "-m", "unpredict_core", "run", "rps-tournament", "--opponents", "rockbot,greenberg,greedy"]
    out = subprocess.run([*run, "--rounds", "2", "--sides", "aligned", "--json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["params"]["opponents"] == ["roshambo:rockbot", "roshambo:greenberg", "greedy"]
    side = result["sides"]["aligned"]
    assert side["batching"] == "batched forward" and len(side["games"]) == 3
    assert all(len(g["rounds"]) == 2 for g in side["games"])
    assert -100 <= side["net_score"] <= 100 and result["sides"]["base"]["skipped"]


def test_results_opens_a_stored_tournament_with_its_view():
    result, _ = tournament(opponents=("ours",), rounds=3, seed=2, sides="aligned")
    at = open_page("pages/5_Results.py")
    at.selectbox(key="kept.results.run").set_value(result["run_id"]).run()
    assert not at.exception and not at.error
    assert "Measured here: 6 opponents × 3 rounds" in texts(at)
    assert "Base side: not played (sides = aligned)." in texts(at)
