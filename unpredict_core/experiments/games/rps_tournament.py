"""A rock-paper-scissors tournament: one side, or both, against many opponents (the protocol of
each game is rps.py's, our reconstruction).

Every game is exactly the `rps` game against that opponent with the tournament's seed, and all
of a side's games are played in lockstep (lockstep.py): each round of every game is scored in one
batch. A tournament is one stored run holding each side's games.

Opponents: `all` (every RoShamBo bot), `ours` (our own opponents), or names, mixed freely:
`ours,roshambo:iocainebot,greenberg` (a bare bot name is read as that bot).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, TypedDict

import numpy as np

from unpredict_core.backends.base import ModelBackend, PromptFormat
from unpredict_core.errors import InvalidParameter
from unpredict_core.experiments import Experiment
from unpredict_core.experiments.games import roshambo, rps
from unpredict_core.experiments.games.engine import MAX_ROUNDS, Match, Round, net_score
from unpredict_core.experiments.games.lockstep import play_lockstep
from unpredict_core.experiments.games.opponents import OPPONENTS, check_opponent, close_opponent, make_opponent
from unpredict_core.params import check_declared, param, seed_param
from unpredict_core.progress import ProgressFn, no_progress
from unpredict_core.records import SideOutcome, SideRecord

NAME = "rps-tournament"
VERSION = "1"
OURS: tuple[str, ...] = tuple(name for name in OPPONENTS if name != "person")
SIDES = ("both", "base", "aligned")


def expand_opponents(names: tuple[str, ...] | list[str] | str) -> tuple[str, ...]:
    """`all`, `ours` and names (comma-separated text or a list) → the opponents, in order, once each."""
    if isinstance(names, str):
        names = names.split(",")
    out: list[str] = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        if name == "all":
            reason = roshambo.unavailable_reason()
            if reason:
                raise InvalidParameter(reason)
            group = [roshambo.PREFIX + bot for bot in roshambo.BOT_NAMES]
        elif name == "ours":
            group = list(OURS)
        elif name not in OPPONENTS and name in roshambo.BOT_NAMES:
            group = [roshambo.PREFIX + name]
        else:
            group = [name]
        out.extend(g for g in group if g not in out)
    return tuple(out)


@dataclass(frozen=True)
class Params:
    opponents: tuple[str, ...] = param(("all",), help="all (the RoShamBo bots), ours, or names a,b,c")
    rounds: int = param(50, min=1, max=MAX_ROUNDS, help="rounds per game")
    seed: int = seed_param("seeds every game's moves (each game is the rps game with this seed)")
    sides: str = param("both", choices=SIDES, help="who plays: both, base or aligned (the other side is not played)")

    def validate(self) -> Params:
        check_declared(self)
        opponents = expand_opponents(self.opponents)
        if not opponents:
            raise InvalidParameter("A tournament needs at least one opponent: all (the RoShamBo bots), ours, or names.")
        for name in opponents:
            check_opponent(name, "opponent", field=True)
        return replace(self, opponents=opponents)

    def as_dict(self) -> dict:
        return {"opponents": list(self.opponents), "rounds": self.rounds, "seed": self.seed, "sides": self.sides}


def most_exploiting(side: Mapping[str, Any], n: int = 5) -> list[tuple[str, float]]:
    """The opponents that beat this side by most (lowest net score first), at most `n`."""
    ranked = sorted(((g["opponent"], g["net_score"]) for g in side.get("games", [])), key=lambda x: x[1])
    return [(name, net) for name, net in ranked if net < 0][:n]


def default_request(params: Params, fmt: PromptFormat) -> str:
    return rps.INTRO[fmt]


class GameRecord(rps.GameSummary):
    opponent: str
    rounds: list[rps.RoundRecord]


class FieldSummary(TypedDict):
    net_score: float  # the mean over the games
    expected_net_score: float
    win_rate: float
    games_won: int
    games_lost: int
    predictability: dict[str, float | None]  # pooled over every game's rounds
    min_coverage: float


class TournamentSide(SideOutcome, FieldSummary):
    batching: str  # how the games' rounds were scored together ("batched forward", ...)
    games: list[GameRecord]


def game_record(opponent: str, rounds: list[Round]) -> GameRecord:
    return {"opponent": opponent, "rounds": [rps.round_json(r) for r in rounds], **rps.summarise(rounds)}


def summarise(games: dict[str, list[Round]]) -> FieldSummary:
    """The side's whole field: mean net score, and predictability per state over every game."""
    all_rounds = [r for rounds in games.values() for r in rounds]
    nets = [net_score(rps.RULES, rounds) for rounds in games.values()]
    pooled: dict[str, list[float]] = {"win": [], "tie": [], "loss": []}
    for rounds in games.values():
        for before, now in zip(rounds, rounds[1:]):
            pooled[before.outcome].append(max(now.p.values()))
    return {
        "net_score": float(np.mean(nets)),
        "expected_net_score": float(np.mean([100.0 * np.mean([r.expected_score for r in g]) for g in games.values()])),
        "win_rate": sum(r.outcome == "win" for r in all_rounds) / len(all_rounds),
        "games_won": sum(n > 0 for n in nets),
        "games_lost": sum(n < 0 for n in nets),
        "predictability": {s: (float(np.mean(v)) if v else None) for s, v in pooled.items()},
        "min_coverage": min(r.coverage for r in all_rounds),
    }


def plays(params: Params, role: str) -> bool:
    """Whether this side plays (`sides`); a side that does not is neither loaded nor played."""
    return params.sides in ("both", role)


def skipped_side(fmt: PromptFormat, request: str, params: Params) -> SideRecord:
    return {"format": fmt, "format_note": "", "prompt": "", "skipped": f"not played (sides = {params.sides})"}


def run_side(
    backend: ModelBackend, fmt: PromptFormat, request: str, params: Params, progress: ProgressFn = no_progress
) -> TournamentSide:
    opponents = [make_opponent(name) for name in params.opponents]
    matches = [Match(rps.RULES, backend, fmt, request, o, params.seed) for o in opponents]
    try:
        batching = play_lockstep(matches, params.rounds, progress)
    finally:
        for opponent in opponents:
            close_opponent(opponent)
    first = matches[0].first_prompt
    games = {name: m.history for name, m in zip(params.opponents, matches, strict=True)}
    if first is None:
        raise InvalidParameter("A tournament needs at least one opponent.")  # validate() refuses it earlier
    return {
        "format": first.format,
        "format_note": first.note,
        "prompt": first.text,
        "batching": batching,
        "games": [game_record(name, rounds) for name, rounds in games.items()],
        **summarise(games),
    }


def summary_lines(side: Mapping[str, Any]) -> list[str]:
    worst = ", ".join(f"{name} ({net:+.0f})" for name, net in most_exploiting(side, 3))
    return [f"{len(side.get('games', []))} games; most exploited by: {worst or 'nobody'}"]


EXPERIMENT = Experiment(
    name=NAME,
    version=VERSION,
    title="Rock-paper-scissors tournament",
    params=Params,
    default_request=default_request,
    run_side=run_side,
    plays=plays,
    skipped_side=skipped_side,
    summary_lines=summary_lines,
    typical_seconds=600.0,
    order=50,
)
