"""Hide-and-seek over K spots (the protocol and the score are our reconstruction).

The model hides; the seeker searches one spot per round. Spots are labelled "1".."K"; the exact
scoring rule keeps "1" and "10" apart. Score (our definition, the paper's is unpublished):
net = 100·(escapes − finds·(K−1)) / (rounds·(K−1)), 0 in expectation for uniform hiding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from unpredict_core.backends.base import ModelBackend, PromptFormat
from unpredict_core.experiments import Experiment, Score, ScoreValue
from unpredict_core.experiments.games.engine import (
    MAX_ROUNDS,
    Match,
    Round,
    Rules,
    expected_net_score,
    net_score,
    net_score_value,
    play_match,
    predictability_by_state,
)
from unpredict_core.experiments.games.lockstep import play_runs
from unpredict_core.experiments.games.opponents import check_opponent, make_opponent
from unpredict_core.params import check_declared, param, seed_param
from unpredict_core.progress import ProgressFn, no_progress
from unpredict_core.records import SideOutcome

NAME = "hide-and-seek"
VERSION = "1"
MAX_SPOTS = 50


class HideAndSeekRules(Rules):
    name = NAME

    def __init__(self, spots: int):
        self.spots = spots
        self.moves = tuple(str(i) for i in range(1, spots + 1))
        self.opponent_moves = self.moves

    def outcome(self, model_move: str, opponent_move: str) -> str:
        return "loss" if model_move == opponent_move else "win"  # found = the hider loses

    def score(self, outcome: str) -> float:
        return 1.0 / (self.spots - 1) if outcome == "win" else -1.0

    def best_response(self, predicted: dict[str, float]) -> str:
        return max(self.moves, key=lambda spot: predicted[spot])

    def history_line(self, r: Round, fmt: PromptFormat) -> str:
        found = "Found." if r.outcome == "loss" else "Not found."
        searched = f"the seeker searched spot {r.opponent_move}"
        return f"Round {r.index}: the hider hid in spot {r.model_move}; {searched}. {found}"

    def ask(self, index: int, fmt: PromptFormat) -> str:
        if fmt == "plain":
            return f"Round {index}: the hider hid in spot"
        return f"Round {index}: where do you hide? Answer with the spot number only."


def intro(spots: int, fmt: PromptFormat) -> str:
    if fmt == "plain":
        return (
            f"The following is the record of a game of hide-and-seek with {spots} hiding spots, numbered "
            f"1 to {spots}. Each round the hider hides in one spot and the seeker searches one spot."
        )
    return (
        f"Let's play hide-and-seek. There are {spots} hiding spots, numbered 1 to {spots}. Each round you "
        "hide in one spot and the seeker searches one spot; if it searches yours, you are found. "
        "You are the hider."
    )


@dataclass(frozen=True)
class Params:
    seeker: str = param("greedy", help="greedy, frequency, markov1, markov2, iocaine or random")
    spots: int = param(7, min=2, max=MAX_SPOTS, help="hiding spots (K)")
    rounds: int = param(50, min=1, max=MAX_ROUNDS, help="rounds per game")
    seed: int = seed_param("seeds the sampling of the model's hiding spots (and the random seeker)")

    def validate(self) -> Params:
        check_declared(self)
        check_opponent(self.seeker, "seeker")
        return self

    def as_dict(self) -> dict:
        return {"seeker": self.seeker, "spots": self.spots, "rounds": self.rounds, "seed": self.seed}


def default_request(params: Params, fmt: PromptFormat) -> str:
    return intro(params.spots, fmt)


class HideRound(TypedDict):
    p: dict[str, float]  # the model's probability of each spot, before it hid
    coverage: float
    hide: str
    seek: str
    found: bool
    expected_score: float


class HideAndSeekSummary(TypedDict):
    found_rate: float
    expected_found_rate: float
    optimal_found_rate: float  # 1/K: a uniform hider against any seeker
    net_score: float
    expected_net_score: float
    spot_use: dict[str, float]
    predictability: dict[str, float | None]
    min_coverage: float


class HideAndSeekSide(SideOutcome, HideAndSeekSummary):
    rounds: list[HideRound]


def summarise(rules: HideAndSeekRules, rounds: list[Round]) -> HideAndSeekSummary:
    return {
        "found_rate": sum(r.outcome == "loss" for r in rounds) / len(rounds),
        "expected_found_rate": sum(r.p[r.opponent_move] for r in rounds) / len(rounds),
        "optimal_found_rate": 1.0 / rules.spots,
        "net_score": net_score(rules, rounds),
        "expected_net_score": expected_net_score(rounds),
        "spot_use": {s: sum(r.model_move == s for r in rounds) / len(rounds) for s in rules.moves},
        "predictability": predictability_by_state(rounds),
        "min_coverage": min(r.coverage for r in rounds),
    }


def net_value(side: Mapping[str, Any], params: Mapping[str, Any]) -> ScoreValue | None:
    """The stored net score with its interval over the rounds played (a found hider lost the round)."""
    outcomes = ["loss" if r["found"] else "win" for r in side.get("rounds") or []]
    return net_score_value(HideAndSeekRules(int(params.get("spots", 7))), outcomes) if outcomes else None


def run_side(
    backend: ModelBackend, fmt: PromptFormat, request: str, params: Params, progress: ProgressFn = no_progress
) -> HideAndSeekSide:
    rules = HideAndSeekRules(params.spots)
    match = Match(rules, backend, fmt, request, make_opponent(params.seeker), params.seed)
    play_match(match, params.rounds, progress)
    return side_outcome(match)


def run_sides(
    backend: ModelBackend, fmt: PromptFormat, request: str, runs: Sequence[Params], progress: ProgressFn = no_progress
) -> list[HideAndSeekSide]:
    """One side of several runs in lockstep batches (those with the same spots and rounds together);
    each outcome equals its own `run_side` to float rounding."""

    def new_game(params: Params) -> tuple[Match, int]:
        rules = HideAndSeekRules(params.spots)
        return Match(rules, backend, fmt, request, make_opponent(params.seeker), params.seed), params.rounds

    return [side_outcome(match) for match in play_runs(new_game, runs, progress)]


def side_outcome(match: Match) -> HideAndSeekSide:
    prompt, rules = match.first_prompt, match.rules
    assert prompt is not None and isinstance(rules, HideAndSeekRules)  # set by the first round; this game's
    rounds: list[HideRound] = [
        {
            "p": r.p,
            "coverage": r.coverage,
            "hide": r.model_move,
            "seek": r.opponent_move,
            "found": r.outcome == "loss",
            "expected_score": r.expected_score,
        }
        for r in match.history
    ]
    return {
        "format": prompt.format,
        "format_note": prompt.note,
        "prompt": prompt.text,
        "rounds": rounds,
        **summarise(rules, match.history),
    }


EXPERIMENT = Experiment(
    name=NAME,
    version=VERSION,
    title="Hide-and-seek",
    params=Params,
    default_request=default_request,
    run_side=run_side,
    run_sides=run_sides,
    scores=(
        Score(
            "hs_net",
            "Hide-and-seek net score",
            "net_score",
            paper=("hide_and_seek", "score"),
            note="The paper's hide-and-seek score has an unpublished definition: not on the same scale as ours.",
            value=net_value,
        ),
    ),
    typical_seconds=120.0,
    order=30,
)
