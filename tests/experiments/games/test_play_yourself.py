"""A person's game against both sides, stored as a run of its own experiment: listed with its
rounds, shown by the game's view, and kept out of the model-against-adversary scores."""

from __future__ import annotations

from tests.support.scripted_pair import ScriptedLoader
from unpredict_core.backends import scripted_pairs
from unpredict_core.experiments.games import hide_and_seek, rps
from unpredict_core.experiments.games.play_yourself import game_result, new_game, play_move, store_game
from unpredict_core.results.items import item_rows
from unpredict_core.results.scatter import _measured, y_scores
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store

PAIR = scripted_pairs.PAIR


def _game(rules, moves, requests):
    loader = scripted_pairs.ScriptedAwareLoader(ScriptedLoader())
    game = new_game(rules, PAIR, {"base": "plain", "aligned": "chat"}, requests, 0, loader, ())
    for move in moves:
        play_move(game, move)
    return game, loader


def test_stored_once_with_rounds_and_kept_out_of_the_adversary_scores():
    requests = {role: rps.INTRO[fmt] for role, fmt in (("base", "plain"), ("aligned", "chat"))}
    game, loader = _game(rps.RULES, ["rock", "paper", "rock"], requests)
    store = Store()
    first = store_game(game, PAIR, store)
    again = store_game(game, PAIR, store)
    assert first["run_id"] == again["run_id"] and store.count_runs() == 1
    stored = store.query_runs(experiments=["rps-play-yourself"])[0]
    assert [r["adversary_move"] for r in stored["sides"]["base"]["rounds"]] == ["rock", "paper", "rock"]
    rounds = [r for r in item_rows(stored) if r["side"] == "aligned"]
    assert len(rounds) == 3 and "A played paper" in rounds[2]["prompt"]
    adversary_run = run_experiment(rps.NAME, PAIR, rps.Params(rounds=3), store=store, load=loader)
    measured = _measured(store.query_runs(), y_scores()["rps_net"])
    assert all(len(values) == 1 for values in measured.values())  # only the adversary run
    assert adversary_run["run_id"] != stored["run_id"]


def test_hide_and_seek_game_result_has_the_views_params():
    rules = hide_and_seek.HideAndSeekRules(7)
    requests = {role: hide_and_seek.intro(7, fmt) for role, fmt in (("base", "plain"), ("aligned", "chat"))}
    game, _ = _game(rules, ["3", "5"], requests)
    result = game_result(game, PAIR)
    assert result["experiment"] == "hide-and-seek-play-yourself"
    assert result["params"]["spots"] == 7 and result["params"]["rounds"] == 2
    assert {"found_rate", "net_score"} <= set(result["sides"]["base"])
