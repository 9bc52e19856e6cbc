"""Play yourself: a person against both sides of a pair at once, and the finished game as a run.

One `Match` per side; every move of the person is played against the base and the aligned model in
the same round (each model chooses from the history only, before the person's move enters the
prompt). A round either lands on both sides or on neither. A finished game is stored as a run of its
own experiment (`rps-play-yourself`, `hide-and-seek-play-yourself`), so Results lists it, shows it
with the game's view and exports its rounds, while the model-against-adversary scores (the scatter,
sweeps) never mix a person's games into theirs.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from unpredict_core import __version__
from unpredict_core.backends.models import ModelPair, Role
from unpredict_core.errors import InvalidParameter
from unpredict_core.experiments.games import hide_and_seek, rps
from unpredict_core.experiments.games.engine import Match, Round, Rules
from unpredict_core.experiments.games.hide_and_seek import HideAndSeekRules
from unpredict_core.experiments.games.opponents import make_opponent

ROLES: tuple[Role, ...] = ("base", "aligned")
VERSION = "1"
NAMES = {"rps": "rps-play-yourself", "hide-and-seek": "hide-and-seek-play-yourself"}
PERSON = "person"  # the opponent the game views describe: a person playing on the page


@dataclass
class PlayGame:
    settings: tuple  # what the matches were built for; a change starts a new game
    matches: dict[Role, Match]
    game_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    @property
    def rounds(self) -> int:
        return len(self.matches["base"].history)


def new_game(rules: Rules, pair: ModelPair, formats: dict, requests: dict, seed: int, load: Callable, settings: tuple):
    """Both sides loaded and ready for the first move."""
    matches: dict[Role, Match] = {}
    for role in ROLES:
        backend = load(pair.side(role))
        matches[role] = Match(rules, backend, formats[role], requests[role], make_opponent("person"), seed)
    return PlayGame(settings, matches)


def play_move(game: PlayGame, move: str) -> dict[Role, Round]:
    """Play `move` against both sides; if one side fails, neither keeps the round."""
    played: dict[Role, Round] = {}
    try:
        for role in ROLES:
            played[role] = game.matches[role].play_round(opponent_move=move)
    except Exception:
        for role in played:
            game.matches[role].history.pop()
        raise
    return played


def _side(match: Match, label: str) -> dict[str, Any]:
    """One side of the finished game as a stored game side: rounds and scores as its experiment's."""
    history, first = match.history, match.first_prompt
    assert first is not None, "a game with a round played has rendered its first prompt"
    rules = match.rules
    if isinstance(rules, HideAndSeekRules):
        rounds: list[Any] = [
            {"p": r.p, "coverage": r.coverage, "hide": r.model_move, "seek": r.opponent_move,
             "found": r.outcome == "loss", "expected_score": r.expected_score}
            for r in history
        ]  # fmt: skip
        scores: dict[str, Any] = dict(hide_and_seek.summarise(rules, history))
    else:
        rounds, scores = [rps.round_json(r) for r in history], dict(rps.summarise(history))
    return {
        "model": label,
        "identity": match.backend.identity,
        "request": match.intro,
        "requested_format": match.fmt,
        "format": first.format,
        "format_note": first.note,
        "prompt": first.text,
        "rounds": rounds,
    } | scores


def game_result(game: PlayGame, pair: ModelPair) -> dict[str, Any]:
    """The finished game as a stored run looks: the game's sides, rounds and scores, with the
    person as the opponent, so the game pages' own views show it."""
    if not game.rounds:
        raise InvalidParameter("A game with no round played has nothing to store.")
    rules = game.matches["base"].rules
    seed = game.matches["base"].seed
    hs = isinstance(rules, HideAndSeekRules)
    params: dict[str, Any] = (
        {"seeker": PERSON, "spots": rules.spots, "rounds": game.rounds, "seed": seed}
        if isinstance(rules, HideAndSeekRules)
        else {"adversary": PERSON, "rounds": game.rounds, "seed": seed}
    )
    return {
        "run_id": game.game_id,
        "experiment": NAMES["hide-and-seek" if hs else "rps"],
        "pair": pair.name,
        "pair_note": pair.note,
        "params": params,
        "code_version": f"{VERSION}/{__version__}",
        "created_at": game.started_at,
        "provenance": "measured here, against a person",
        "duration_s": 0.0,  # a person's pace is not the models'
        "sides": {role: _side(match, pair.side(role).label) for role, match in game.matches.items()},
    }


def store_game(game: PlayGame, pair: ModelPair, store) -> dict:
    """Store the finished game as a run, once: storing it again returns the stored run."""
    key = hashlib.sha256(f"{NAMES['rps']}|{game.game_id}".encode()).hexdigest()
    stored = store.find_run(key)
    if stored is not None:
        return stored
    result = json.loads(json.dumps(game_result(game, pair), allow_nan=False))
    store.save_run(result, key, 0.0)
    return result
