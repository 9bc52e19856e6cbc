"""The incremental Iocaine opponent plays exactly as the replaying one it replaced, at a per-round
cost that does not grow with the history."""

from __future__ import annotations

import time

import numpy as np

from unpredict_core.experiments.games import rps
from unpredict_core.experiments.games.engine import Round
from unpredict_core.experiments.games.opponents import Frequency, Iocaine, Markov, RepeatLast


class ReplayingIocaine:
    """The former implementation: every round replays the whole history through each predictor."""

    def __init__(self, decay: float = 0.9):
        self.decay = decay
        self.predictors = [Frequency(), Markov(1), Markov(2), RepeatLast()]

    def predict(self, p, history, rules):
        scores = np.zeros(len(self.predictors))
        for t in range(1, len(history)):
            past = history[:t]
            for k, predictor in enumerate(self.predictors):
                guess = predictor.predict({}, past, rules)
                hit = max(guess, key=guess.get) == history[t].model_move
                scores[k] = self.decay * scores[k] + (1.0 if hit else 0.0)
        return self.predictors[int(np.argmax(scores))].predict(p, history, rules)


def recorded_game(model_moves: list[str]) -> list[Round]:
    """A game record as the engine writes it (the opponent's moves do not matter to Iocaine)."""
    return [Round(i + 1, {}, 1.0, m, "rock", rps.RULES.outcome(m, "rock"), 0.0) for i, m in enumerate(model_moves)]


def games() -> dict[str, list[str]]:
    rng = np.random.default_rng(0)
    moves = list(rps.RULES.moves)
    return {
        "uniform": [moves[i] for i in rng.integers(3, size=150)],
        "biased": [moves[i] for i in rng.choice(3, size=150, p=[0.6, 0.3, 0.1])],
        "cycle then switch": ["rock", "paper", "scissors"] * 20 + ["paper", "paper", "rock"] * 20,
        "sticky": [moves[i] for i in np.repeat(rng.integers(3, size=30), rng.integers(1, 8, size=30))],
    }


def test_same_predictions_every_round_as_the_replaying_implementation():
    for name, moves in games().items():
        history = recorded_game(moves)
        fast, slow = Iocaine(), ReplayingIocaine()
        for t in range(len(history) + 1):
            assert fast.predict({}, history[:t], rps.RULES) == slow.predict({}, history[:t], rps.RULES), (name, t)


def test_a_new_game_starts_afresh():
    first, second = (recorded_game(m) for m in list(games().values())[:2])
    reused, fresh = Iocaine(), Iocaine()
    for t in range(40):
        reused.predict({}, first[:t], rps.RULES)
    for t in range(40):
        assert reused.predict({}, second[:t], rps.RULES) == fresh.predict({}, second[:t], rps.RULES)


def test_per_round_cost_does_not_grow_with_the_history():
    rng = np.random.default_rng(1)
    history = recorded_game([rps.RULES.moves[i] for i in rng.integers(3, size=1000)])
    iocaine = Iocaine()
    times = []
    for t in range(1000):
        start = time.perf_counter()
        iocaine.predict({}, history[:t], rps.RULES)  # slicing is the engine's cost, not Iocaine's
        times.append(time.perf_counter() - start)
    early, late = np.median(times[50:150]), np.median(times[900:])
    assert late < 0.005  # the replaying one took about 0.7 s per round near 1,000
    assert late < 5 * early + 1e-4
