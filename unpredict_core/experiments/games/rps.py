"""Rock-paper-scissors against an opponent (the protocol is our reconstruction).

The model is Player B. Its plain prompt is a game record ending at "Player B plays"; its chat
prompt is the same record addressed to it. "Rock" counts as "rock" (surface forms add up).
Score from the model's side: net = 100·(wins − losses)/rounds, 0 in expectation for uniform play.
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
from unpredict_core.experiments.games.opponents import check_opponent, close_opponent, make_opponent
from unpredict_core.params import check_declared, param, seed_param
from unpredict_core.progress import ProgressFn, no_progress
from unpredict_core.records import SideOutcome

NAME = "rps"
VERSION = "1"
BEATS = {"rock": "scissors", "paper": "rock", "scissors": "paper"}  # key beats value

INTRO = {
    "plain": "The following is the record of a game of rock-paper-scissors between two players, A and B. "
    "Each round both players choose rock, paper or scissors at the same time. Rock beats scissors, "
    "scissors beats paper, paper beats rock.",
    "chat": "Let's play rock-paper-scissors. Each round we both choose rock, paper or scissors at the "
    "same time. Rock beats scissors, scissors beats paper, paper beats rock. You are Player B.",
}


class RPSRules(Rules):
    name = NAME
    moves = ("rock", "paper", "scissors")
    opponent_moves = moves

    def outcome(self, model_move: str, opponent_move: str) -> str:
        if model_move == opponent_move:
            return "tie"
        return "win" if BEATS[model_move] == opponent_move else "loss"

    def score(self, outcome: str) -> float:
        return {"win": 1.0, "tie": 0.0, "loss": -1.0}[outcome]

    def best_response(self, predicted: dict[str, float]) -> str:
        # the opponent's expected gain with move a: P(model plays what a beats) − P(what beats a)
        beaten_by = {loser: winner for winner, loser in BEATS.items()}
        return max(self.moves, key=lambda a: predicted[BEATS[a]] - predicted[beaten_by[a]])

    def surface_forms(self, move: str) -> tuple[str, ...]:
        return (move, move.capitalize())

    def history_line(self, r: Round, fmt: PromptFormat) -> str:
        verdict = {"win": "B wins", "tie": "Tie", "loss": "A wins"}[r.outcome]
        return f"Round {r.index}: A played {r.opponent_move}, B played {r.model_move}. {verdict}."

    def ask(self, index: int, fmt: PromptFormat) -> str:
        if fmt == "plain":
            return f"Round {index}: B played"
        return f"Round {index}: what do you play? Answer with one word: rock, paper or scissors."


RULES = RPSRules()


@dataclass(frozen=True)
class Params:
    adversary: str = param(
        "greedy", help="greedy, frequency, markov1, markov2, iocaine, random, or roshambo:NAME (see `bots`)"
    )
    rounds: int = param(50, min=1, max=MAX_ROUNDS, help="rounds per game")
    seed: int = seed_param("seeds the sampling of the model's moves (and the random adversary)")

    def validate(self) -> Params:
        check_declared(self)
        check_opponent(self.adversary, "adversary", field=True)
        return self

    def as_dict(self) -> dict:
        return {"adversary": self.adversary, "rounds": self.rounds, "seed": self.seed}


def default_request(params: Params, fmt: PromptFormat) -> str:
    return INTRO[fmt]


class RoundRecord(TypedDict):
    """One stored round (a tournament's games store theirs the same way)."""

    p: dict[str, float]  # the model's probability of each move, before it moved
    coverage: float
    model_move: str
    adversary_move: str
    outcome: str  # "win", "tie" or "loss", from the model's side
    expected_score: float


class GameSummary(TypedDict):
    net_score: float  # 100·(wins − losses)/rounds
    expected_net_score: float  # the same, in expectation over the model's probabilities
    win_rate: float
    predictability: dict[str, float | None]  # mean max probability after a win, tie or loss
    min_coverage: float


class RPSSide(SideOutcome, GameSummary):
    rounds: list[RoundRecord]


def summarise(rounds: list[Round]) -> GameSummary:
    return {
        "net_score": net_score(RULES, rounds),
        "expected_net_score": expected_net_score(rounds),
        "win_rate": sum(r.outcome == "win" for r in rounds) / len(rounds),
        "predictability": predictability_by_state(rounds),
        "min_coverage": min(r.coverage for r in rounds),
    }


def net_value(side: Mapping[str, Any], params: Mapping[str, Any]) -> ScoreValue | None:
    """The stored net score with its interval over the rounds played."""
    outcomes = [r["outcome"] for r in side.get("rounds") or []]
    return net_score_value(RULES, outcomes) if outcomes else None


def run_side(
    backend: ModelBackend, fmt: PromptFormat, request: str, params: Params, progress: ProgressFn = no_progress
) -> RPSSide:
    opponent = make_opponent(params.adversary)
    match = Match(RULES, backend, fmt, request, opponent, params.seed)
    try:
        play_match(match, params.rounds, progress)
    finally:
        close_opponent(opponent)
    return side_outcome(match)


def run_sides(
    backend: ModelBackend, fmt: PromptFormat, request: str, runs: Sequence[Params], progress: ProgressFn = no_progress
) -> list[RPSSide]:
    """One side of several runs (seeds, opponents, lengths) in lockstep batches; each outcome equals
    its own `run_side` to float rounding."""

    def new_game(params: Params) -> tuple[Match, int]:
        return Match(RULES, backend, fmt, request, make_opponent(params.adversary), params.seed), params.rounds

    return [side_outcome(match) for match in play_runs(new_game, runs, progress)]


def side_outcome(match: Match) -> RPSSide:
    prompt = match.first_prompt
    assert prompt is not None  # set by the first round
    return {
        "format": prompt.format,
        "format_note": prompt.note,
        "prompt": prompt.text,
        "rounds": [round_json(r) for r in match.history],
        **summarise(match.history),
    }


def round_json(r: Round) -> RoundRecord:
    """One round as stored (a tournament's games store theirs the same way)."""
    return {
        "p": r.p,
        "coverage": r.coverage,
        "model_move": r.model_move,
        "adversary_move": r.opponent_move,
        "outcome": r.outcome,
        "expected_score": r.expected_score,
    }


EXPERIMENT = Experiment(
    name=NAME,
    version=VERSION,
    title="Rock-paper-scissors",
    params=Params,
    default_request=default_request,
    run_side=run_side,
    run_sides=run_sides,
    scores=(
        Score("rps_net", "Rock-paper-scissors net score", "net_score", paper=("rps", "net_score"), value=net_value),
    ),
    typical_seconds=120.0,
    order=20,
)
