"""The game engine, adversaries and seekers against scripted players with known outcomes."""

from __future__ import annotations

import re

import pytest

from unpredict_core.backends.models import ModelPair, ModelSpec
from unpredict_core.backends.scripted import ScriptedBackend, constant
from unpredict_core.errors import InvalidParameter
from unpredict_core.experiments.games import hide_and_seek as hs
from unpredict_core.experiments.games import rps
from unpredict_core.experiments.games.engine import Match, net_score, predictability_by_state
from unpredict_core.experiments.games.opponents import make_opponent
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store

ROCK = constant({"rock": 1.0})
UNIFORM_RPS = constant({" rock": 1 / 3, " paper": 1 / 3, " Scissors": 1 / 3})
CYCLE = ("rock", "paper", "scissors")


def cycling(prompt: str) -> dict[str, float]:
    """Plays rock, paper, scissors, rock, ... by the number of rounds already in the prompt."""
    played = len(re.findall(r"^Round \d+: A played", prompt, flags=re.M))
    return {CYCLE[played % 3]: 1.0}


def play(script, opponent: str, rounds: int, seed: int = 0, rules=rps.RULES, fmt="plain"):
    match = Match(rules, ScriptedBackend(script, "scripted"), fmt, "intro", make_opponent(opponent), seed)
    for _ in range(rounds):
        match.play_round()
    return match


def test_greedy_beats_an_always_rock_model_every_round():
    match = play(ROCK, "greedy", 20)
    assert all(r.opponent_move == "paper" for r in match.history)
    assert all(r.outcome == "loss" for r in match.history)
    assert net_score(rps.RULES, match.history) == -100.0


def test_uniform_play_scores_zero_in_expectation_against_greedy():
    match = play(UNIFORM_RPS, "greedy", 300)
    expected = [r.expected_score for r in match.history]
    assert all(abs(e) < 1e-9 for e in expected)
    assert abs(net_score(rps.RULES, match.history)) < 20  # 4 standard errors of 300 rounds


def test_frequency_counter_learns_a_constant_move_after_one_round():
    match = play(ROCK, "frequency", 10)
    assert match.history[0].outcome == "tie"  # no history yet: its tie-break plays rock
    assert all(r.outcome == "loss" for r in match.history[1:])


@pytest.mark.parametrize("opponent", ["markov1", "markov2", "iocaine"])
def test_history_predictors_learn_a_cycle(opponent):
    match = play(cycling, opponent, 30)
    assert [r.model_move for r in match.history[:4]] == ["rock", "paper", "scissors", "rock"]
    assert all(r.outcome == "loss" for r in match.history[-10:])


def test_random_adversary_is_a_control():
    match = play(ROCK, "random", 300, seed=3)
    assert {r.opponent_move for r in match.history} == set(rps.RULES.moves)
    assert abs(net_score(rps.RULES, match.history)) < 20


def test_surface_forms_add_up_and_coverage_is_kept():
    match = play(constant({"Rock": 0.2, " rock": 0.1, "paper": 0.1}), "greedy", 1)
    first = match.history[0]
    assert first.coverage == pytest.approx(0.4)
    assert first.p == pytest.approx({"rock": 0.75, "paper": 0.25, "scissors": 0.0})


def test_a_model_with_no_mass_on_any_move_stops_with_a_message():
    with pytest.raises(InvalidParameter, match="no probability on any move"):
        play(constant({"banana": 1.0}), "greedy", 1)


def test_a_person_plays_through_the_same_interface():
    match = Match(rps.RULES, ScriptedBackend(ROCK), "plain", "intro", make_opponent("person"), 0)
    assert match.play_round("paper").outcome == "loss"
    with pytest.raises(InvalidParameter, match="not a move"):
        match.play_round("lizard")
    with pytest.raises(InvalidParameter, match="must be given"):
        match.play_round()
    assert len(match.history) == 1, "a rejected throw is not a round"


def test_history_is_in_the_prompt_and_only_grows():
    seen = []
    play(lambda p: seen.append(p) or {"rock": 1.0}, "greedy", 3)
    assert "Round 1: A played paper, B played rock. A wins." in seen[-1]
    assert seen[0].endswith("Round 1: B played") and seen[-1].endswith("Round 3: B played")
    assert seen[2].startswith(seen[1][: seen[1].rindex("Round 2")])


def test_determinism_under_a_seed():
    moves = lambda seed: [r.model_move for r in play(UNIFORM_RPS, "random", 40, seed).history]
    assert moves(1) == moves(1) and moves(1) != moves(2)


def test_predictability_by_state_groups_by_the_previous_outcome():
    match = play(ROCK, "frequency", 5)
    state = predictability_by_state(match.history)
    assert state["tie"] == 1.0 and state["loss"] == 1.0 and state["win"] is None


def test_greedy_seeker_finds_a_fixed_hider_every_round():
    rules = hs.HideAndSeekRules(7)
    match = play(constant({" 3": 1.0}), "greedy", 10, rules=rules)
    summary = hs.summarise(rules, match.history)
    assert summary["found_rate"] == 1.0 and summary["net_score"] == -100.0


def test_uniform_hiding_scores_zero_in_expectation():
    rules = hs.HideAndSeekRules(7)
    match = play(constant({str(i): 1 / 7 for i in range(1, 8)}), "greedy", 50, rules=rules)
    summary = hs.summarise(rules, match.history)
    assert summary["expected_found_rate"] == pytest.approx(1 / 7)
    assert summary["expected_net_score"] == pytest.approx(0.0, abs=1e-9)


def test_spot_one_and_spot_ten_are_kept_apart():
    rules = hs.HideAndSeekRules(12)
    match = play(constant({"1": 0.5, " 10": 0.5}), "random", 1, rules=rules)
    p = match.history[0].p
    assert p["1"] == pytest.approx(0.5) and p["10"] == pytest.approx(0.5) and p["11"] == 0.0


@pytest.mark.parametrize(
    "params",
    [
        rps.Params(rounds=0),
        rps.Params(rounds=-3),
        rps.Params(adversary="nobody"),
        rps.Params(adversary="person"),
        hs.Params(spots=1),
        hs.Params(spots=10_000),
        hs.Params(rounds=0),
        hs.Params(seeker="nobody"),
    ],
)
def test_bad_game_parameters(params):
    with pytest.raises(InvalidParameter):
        params.validate()


GAME_PAIR = ModelPair(
    "scripted-games",
    ModelSpec("rock", "scripted", "rock"),
    ModelSpec("uniform", "scripted", "uniform", default_format="chat"),
)


class GameLoader:
    scripts = {"rock": {"rock": 0.5, "3": 0.5}, "uniform": {"paper": 0.25, "scissors": 0.25, "5": 0.5}}

    def __call__(self, spec, progress=None):
        return ScriptedBackend(constant({k: v for k, v in self.scripts[spec.location].items()}), spec.label)


def test_games_are_stored_per_round_and_cached():
    store = Store()
    first = run_experiment("rps", GAME_PAIR, rps.Params(rounds=6), store=store, load=GameLoader())
    again = run_experiment("rps", GAME_PAIR, rps.Params(rounds=6), store=store, load=GameLoader())
    assert again["cached"] and again["sides"] == first["sides"]
    rows = store.round_rows(first["run_id"])
    assert len(rows) == 12 and {r[6] for r in rows} <= {"win", "tie", "loss"}
    base = first["sides"]["base"]
    assert {"p", "model_move", "adversary_move", "outcome"} <= set(base["rounds"][0])
    assert base["net_score"] == -100.0
    hide = run_experiment("hide-and-seek", GAME_PAIR, hs.Params(rounds=4), store=store, load=GameLoader())
    assert {"p", "hide", "seek", "found"} <= set(hide["sides"]["aligned"]["rounds"][0])
    assert len(store.round_rows(hide["run_id"])) == 8
