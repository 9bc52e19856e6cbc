"""One engine for repeated games against a model: rock-paper-scissors and hide-and-seek.

Each round the model's move distribution is computed exactly from the logits of a prompt holding the
history so far; its move is sampled from that distribution with a seeded generator; the opponent
picks its move; the outcome is appended to the history. Because the prompt only grows, the
backend reuses the KV cache of the shared history instead of re-encoding it every round.

Every opponent is a *predictor* of the model's next move plus the game's best response to that
prediction. The paper's opponent reads the model's probabilities; the classic ones see only the
history; a person is an opponent whose move is given from outside.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from unpredict_core.backends.base import ChoiceScores, ModelBackend, PromptFormat, RenderedPrompt
from unpredict_core.errors import InvalidParameter
from unpredict_core.experiments import ScoreValue
from unpredict_core.intervals import mean_interval
from unpredict_core.progress import ProgressFn, rate_and_estimate

MAX_ROUNDS = 1000


@dataclass(frozen=True)
class Round:
    index: int  # 1-based
    p: dict[str, float]  # model's renormalised move distribution this round
    coverage: float  # its mass on valid moves before renormalising
    model_move: str
    opponent_move: str
    outcome: str  # from the model's side: win / tie / loss
    expected_score: float  # exact expected score of this round given the opponent's move


class Rules:
    """What a game is: the model's moves, how a round scores, how the history reads."""

    name: str
    moves: tuple[str, ...]  # the model's moves (its answer set)
    opponent_moves: tuple[str, ...]

    def outcome(self, model_move: str, opponent_move: str) -> str:
        raise NotImplementedError

    def score(self, outcome: str) -> float:
        """Per-round score from the model's side, scaled so uniform play scores 0 in expectation."""
        raise NotImplementedError

    def best_response(self, predicted: dict[str, float]) -> str:
        """The opponent's best move against a predicted distribution of the model's move."""
        raise NotImplementedError

    def surface_forms(self, move: str) -> tuple[str, ...]:
        """Texts that count as this move (e.g. "rock" and "Rock"); their probabilities add."""
        return (move,)

    def history_line(self, r: Round, fmt: PromptFormat) -> str:
        raise NotImplementedError

    def ask(self, index: int, fmt: PromptFormat) -> str:
        raise NotImplementedError

    def expected_score(self, p: dict[str, float], opponent_move: str) -> float:
        return sum(q * self.score(self.outcome(m, opponent_move)) for m, q in p.items())


def build_prompt(rules: Rules, intro: str, history: Sequence[Round], fmt: PromptFormat) -> str:
    """The request text for the next round: intro, one line per past round, then the question.

    For the plain format the text ends where the model's move begins; for chat it is the user
    message. The history is the only part that changes, and it only grows.
    """
    lines = [intro.rstrip(), ""] + [rules.history_line(r, fmt) for r in history]
    return "\n".join(lines + [rules.ask(len(history) + 1, fmt)])


@dataclass
class Match:
    """One side's game: a backend playing `rounds` rounds against one opponent."""

    rules: Rules
    backend: ModelBackend
    fmt: PromptFormat
    intro: str
    opponent: Opponent
    seed: int
    history: list[Round] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng(self.seed)
        self._opponent_rng = np.random.default_rng([self.seed, 1])
        self.first_prompt: RenderedPrompt | None = None

    def next_prompt(self) -> RenderedPrompt:
        """The rendered prompt of the next round (the history so far, then the question)."""
        prompt = self.backend.render(build_prompt(self.rules, self.intro, self.history, self.fmt), self.fmt)
        self.first_prompt = self.first_prompt or prompt
        return prompt

    def choices(self) -> list[str]:
        """Every surface form of every move: the answers to score."""
        return [form for move in self.rules.moves for form in self.rules.surface_forms(move)]

    def distribution(self, scores: ChoiceScores | None = None) -> tuple[dict[str, float], float]:
        """The model's exact move distribution for the next round, and its coverage. `scores`
        of `next_prompt()` may come from outside (games scored in lockstep batches)."""
        if scores is None:
            scores = self.backend.score_choices(self.next_prompt(), self.choices())
        forms = {form: move for move in self.rules.moves for form in self.rules.surface_forms(move)}
        mass = {move: 0.0 for move in self.rules.moves}
        for form, p in scores.raw.items():
            mass[forms[form]] += p
        coverage = sum(mass.values())
        if coverage <= 0.0:
            raise InvalidParameter(
                f"{self.backend.label} puts no probability on any move in round {len(self.history) + 1}; "
                "the game cannot go on. Try the other prompt format."
            )
        return {m: q / coverage for m, q in mass.items()}, coverage

    def play_round(self, opponent_move: str | None = None, scores: ChoiceScores | None = None) -> Round:
        """Play one round; a person's move may be given, otherwise the opponent chooses."""
        p, coverage = self.distribution(scores)
        moves = list(self.rules.moves)
        model_move = moves[int(self._rng.choice(len(moves), p=np.array([p[m] for m in moves])))]
        if opponent_move is None:
            opponent_move = self.opponent.choose(p, self.history, self.rules, self._opponent_rng)
        if opponent_move not in self.rules.opponent_moves:
            allowed = ", ".join(self.rules.opponent_moves)
            raise InvalidParameter(f"'{opponent_move}' is not a move here. Allowed: {allowed}.")
        outcome = self.rules.outcome(model_move, opponent_move)
        played = Round(
            len(self.history) + 1,
            p,
            coverage,
            model_move,
            opponent_move,
            outcome,
            self.rules.expected_score(p, opponent_move),
        )
        self.history.append(played)
        return played


def play_match(match: Match, rounds: int, progress: ProgressFn) -> RenderedPrompt:
    """Play `rounds` rounds with progress (the pace and what is left); return the first round's
    prompt (shown to users)."""
    started = time.monotonic()
    for index in range(rounds):
        match.play_round()
        pace = rate_and_estimate(index + 1, rounds, time.monotonic() - started, "rounds")
        progress((index + 1) / rounds, f"{match.backend.label}: round {index + 1}/{rounds} · {pace}")
    assert match.first_prompt is not None
    return match.first_prompt


# -- summaries (pure functions of the rounds) -----------------------------------------------------
def outcome_counts(outcomes: Sequence[str]) -> dict[str, int]:
    """Wins, ties and losses from the model's side (a hide-and-seek "loss" is being found)."""
    return {o: sum(x == o for x in outcomes) for o in ("win", "tie", "loss")}


def net_score(rules: Rules, rounds: Sequence[Round]) -> float:
    """100 × mean per-round score: 100·(wins − losses)/rounds for RPS; uniform play → 0."""
    if not rounds:
        raise ValueError("no rounds played")
    return 100.0 * sum(rules.score(r.outcome) for r in rounds) / len(rounds)


def expected_net_score(rounds: Sequence[Round]) -> float:
    """The same score in expectation over the model's own probabilities each round."""
    if not rounds:
        raise ValueError("no rounds played")
    return 100.0 * sum(r.expected_score for r in rounds) / len(rounds)


def net_score_value(rules: Rules, outcomes: Sequence[str]) -> ScoreValue:
    """The net score of played rounds with a 95 % interval of the mean per-round score
    (`intervals.mean_interval`: a t-interval, or a bounded one when every round scored alike). It
    treats rounds as independent draws, which an adaptive opponent makes only roughly true: read it
    as the spread a replay would show, not an exact bound."""
    if not outcomes:
        raise ValueError("no rounds played")
    possible = [100.0 * rules.score(o) for o in ("win", "tie", "loss")]
    found = mean_interval([100.0 * rules.score(o) for o in outcomes], min(possible), max(possible))
    assert found is not None
    mean, ci = found
    return ScoreValue(mean, ci, "played", f"{len(outcomes)} round{'s' if len(outcomes) != 1 else ''}")


def predictability_by_state(rounds: Sequence[Round]) -> dict[str, float | None]:
    """Mean of max_a p_t(a) grouped by the previous round's outcome (the paper: aligned models
    turn near-deterministic after a win or a tie). None where a state never occurred."""
    groups: dict[str, list[float]] = {"win": [], "tie": [], "loss": []}
    for before, now in zip(rounds, rounds[1:]):
        groups[before.outcome].append(max(now.p.values()))
    return {state: (float(np.mean(v)) if v else None) for state, v in groups.items()}


# -- opponents ------------------------------------------------------------------------------------
class Opponent:
    """Predicts the model's next move, then plays the game's best response to the prediction."""

    name = "opponent"
    description = ""

    def predict(self, p: dict[str, float], history: Sequence[Round], rules: Rules) -> dict[str, float]:
        raise NotImplementedError

    def choose(self, p: dict[str, float], history: Sequence[Round], rules: Rules, rng: np.random.Generator) -> str:
        return rules.best_response(self.predict(p, history, rules))
