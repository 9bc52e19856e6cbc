"""The RoShamBo bots as opponents: the same moves as in OpenSpiel's own repeated game, reproducible
under a seed, a crashing bot contained in its process, and bad names or a missing OpenSpiel
answered with a message."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.support.ui_support import clear_streamlit_caches, open_page  # noqa: F401  (autouse fixture)
from unpredict_core.backends.scripted import ScriptedBackend
from unpredict_core.errors import InvalidParameter
from unpredict_core.experiments.games import roshambo, rps
from unpredict_core.experiments.games.engine import Match
from unpredict_core.experiments.games.opponents import check_opponent, make_opponent

pytest.importorskip("pyspiel")

ROUNDS = 60
SEQUENCE = [int(m) for m in np.random.default_rng(7).integers(3, size=ROUNDS)]  # the model's fixed moves

# OpenSpiel's own play loop (as in its roshambo_bot_test.cc): srandom, then each round the bot steps
# on the repeated game's state and both actions are applied. Run in a process of its own.
REFERENCE = """
import ctypes, json, sys
import pyspiel
job = json.loads(sys.stdin.read())
game = pyspiel.load_game("repeated_game(stage_game=matrix_rps(),num_repetitions=1000)")
moves = {}
for name, seed in job["bots"]:
    ctypes.CDLL(None).srandom(ctypes.c_uint(seed))
    bot = pyspiel.make_roshambo_bot(1, name)
    state = game.new_initial_state()
    played = []
    for outside in job["sequence"]:
        move = bot.step(state)
        state.apply_actions([outside, move])
        played.append(move)
    moves[name] = played
print(json.dumps(moves))
"""


def openspiel_moves(bots: list[tuple[str, int]]) -> dict[str, list[int]]:
    job = json.dumps({"bots": bots, "sequence": SEQUENCE})
    out = subprocess.run([sys.executable, "-c", REFERENCE], input=job, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def fixed_sequence(prompt: str) -> dict[str, float]:
    played = prompt.count("A played")
    return {roshambo.MOVES[SEQUENCE[played]]: 1.0}


def play_bot(name: str, seed: int) -> tuple[list[int], int]:
    opponent = make_opponent(roshambo.PREFIX + name)
    match = Match(rps.RULES, ScriptedBackend(fixed_sequence), "plain", "intro", opponent, seed)
    for _ in range(ROUNDS):
        match.play_round()
    opponent.close()
    assert [roshambo.MOVES.index(r.model_move) for r in match.history] == SEQUENCE
    return [roshambo.MOVES.index(r.opponent_move) for r in match.history], opponent.bot_seed


def test_the_names_are_openspiels():
    assert roshambo.list_bot_names() == list(roshambo.BOT_NAMES)
    assert len(roshambo.BOT_NAMES) == 43


def test_every_bot_plays_as_in_openspiels_own_repeated_game_and_a_seed_reproduces_it():
    ours, seeds = {}, {}
    for name in roshambo.BOT_NAMES:
        ours[name], seeds[name] = play_bot(name, seed=3)
    assert openspiel_moves([(name, seeds[name]) for name in roshambo.BOT_NAMES]) == ours
    again = {name: play_bot(name, seed=3)[0] for name in ("iocainebot", "greenberg", "randbot", "phasenbott")}
    assert again == {name: ours[name] for name in again}
    other = {name: play_bot(name, seed=4)[0] for name in again}
    assert sum(other[name] != ours[name] for name in other) >= 3  # these draw from random()


def test_a_crashing_bot_ends_its_own_process_not_ours():
    # Greenberg built for fewer than 1,000 throws writes past its tables (see roshambo.py)
    bot = roshambo.RoshamboBot("greenberg", seed=0, throws=50)
    with pytest.raises(roshambo.BotCrashed, match=r"'greenberg' crashed in round 1 \(killed by (SIGABRT|SIGSEGV)"):
        bot.move([])
    assert roshambo.RoshamboBot("greenberg", seed=0).move([]) in (0, 1, 2)  # 1,000 throws: fine


def test_unknown_bot_names_list_close_matches():
    with pytest.raises(InvalidParameter, match=r"Unknown RoShamBo bot 'iocaine'\. Close matches: roshambo:iocainebot"):
        rps.Params(adversary="roshambo:iocaine").validate()
    with pytest.raises(InvalidParameter, match="roshambo:NAME"):
        rps.Params(adversary="iocainebot").validate()
    with pytest.raises(InvalidParameter, match="Unknown seeker"):  # hide-and-seek has no RoShamBo field
        check_opponent("roshambo:rockbot", "seeker")


def test_without_openspiel_the_bots_are_absent_with_a_reason(monkeypatch):
    monkeypatch.setattr(roshambo, "MODULE", "no_such_module_here")
    assert roshambo.opponent_names() == []
    assert "pip install open-spiel" in roshambo.unavailable_reason()
    with pytest.raises(InvalidParameter, match="not installed here"):
        rps.Params(adversary="roshambo:rockbot").validate()
    rps.Params(adversary="iocaine").validate()  # our own opponents are unaffected


def test_rps_page_lists_the_bots_as_a_group_of_their_own():
    at = open_page("pages/2_Rock_Paper_Scissors.py")
    group = at.radio(key="kept.rps.opponent_group")
    assert group.options == ["Ours", "RoShamBo competition bots"]
    group.set_value("roshambo").run()
    bots = at.selectbox(key="kept.rps.roshambo_bot")
    assert len(bots.options) == 43 and "greenberg" in bots.options
    bots.set_value("roshambo:greenberg").run()
    assert not at.exception and not at.error
