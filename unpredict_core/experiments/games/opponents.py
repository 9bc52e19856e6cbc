"""Opponents for the repeated games. Each predicts the model's next move and best-responds.

- `greedy` (the paper's): reads the model's exact move probabilities this round.
- `frequency`, `markov1`, `markov2`: see only the history of the model's moves.
- `iocaine`: an Iocaine-Powder-style meta predictor that follows whichever of several history
  predictors has been guessing the model's moves best lately.
- `roshambo:NAME`: a bot of the RoShamBo competition (rock-paper-scissors only; roshambo.py).
- `random`: uniform over its moves (the control: no opponent can do better against uniform play).
- `person`: a human's move, given from outside (play-yourself mode).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

from unpredict_core.errors import InvalidParameter
from unpredict_core.experiments.games import roshambo
from unpredict_core.experiments.games.engine import Opponent, Round, Rules


def _normalise(counts: Mapping[str, float], moves: Sequence[str]) -> dict[str, float]:
    total = sum(counts.get(m, 0.0) for m in moves)
    if total <= 0:
        return {m: 1.0 / len(moves) for m in moves}
    return {m: counts.get(m, 0.0) / total for m in moves}


class Greedy(Opponent):
    name = "greedy"
    description = "reads the model's move probabilities and plays the best response (the paper's)"

    def predict(self, p, history, rules):
        return p


class Frequency(Opponent):
    name = "frequency"
    description = "expects the model's most frequent move so far"

    def predict(self, p, history, rules):
        return _normalise(Counter(r.model_move for r in history), rules.moves)


class Markov(Opponent):
    """Expects what the model played after the same last `order` moves before."""

    def __init__(self, order: int):
        self.order = order
        self.name = f"markov{order}"
        self.description = f"expects what followed the model's last {order} move(s) before"

    def predict(self, p, history, rules):
        moves = [r.model_move for r in history]
        if len(moves) <= self.order:
            return Frequency().predict(p, history, rules)
        context = tuple(moves[-self.order :])
        following = Counter(
            moves[i + self.order] for i in range(len(moves) - self.order) if tuple(moves[i : i + self.order]) == context
        )
        return _normalise(following, rules.moves) if following else Frequency().predict(p, history, rules)


class RepeatLast(Opponent):
    name = "repeat-last"
    description = "expects the model to repeat its last move"

    def predict(self, p, history, rules):
        return _normalise({history[-1].model_move: 1.0}, rules.moves) if history else _normalise({}, rules.moves)


class _Counts:
    """The history predictors' counts, updated one model move at a time (so a round costs the
    same at round 1,000 as at round 10): move frequencies, what followed each context of one and
    two moves, and the last move."""

    def __init__(self, orders: Sequence[int]):
        self.moves: list[str] = []
        self.frequency: Counter = Counter()
        self.following: dict[int, dict[tuple[str, ...], Counter]] = {k: {} for k in orders}

    def add(self, move: str) -> None:
        n = len(self.moves)  # the new move is moves[n]; the context before it ends at n - 1
        for order, table in self.following.items():
            if n >= order:
                table.setdefault(tuple(self.moves[n - order :]), Counter())[move] += 1
        self.moves.append(move)
        self.frequency[move] += 1

    def frequency_guess(self, moves: Sequence[str]) -> dict[str, float]:
        return _normalise(self.frequency, moves)

    def markov_guess(self, order: int, moves: Sequence[str]) -> dict[str, float]:
        # as Markov.predict: too short a history, or a context never followed, falls back to frequency
        if len(self.moves) <= order:
            return self.frequency_guess(moves)
        following = self.following[order].get(tuple(self.moves[-order:]))
        return _normalise(following, moves) if following else self.frequency_guess(moves)

    def repeat_guess(self, moves: Sequence[str]) -> dict[str, float]:
        return _normalise({self.moves[-1]: 1.0}, moves) if self.moves else _normalise({}, moves)

    def guesses(self, moves: Sequence[str]) -> list[dict[str, float]]:
        """In Iocaine's order: frequency, Markov 1, Markov 2, repeat-last."""
        return [
            self.frequency_guess(moves),
            self.markov_guess(1, moves),
            self.markov_guess(2, moves),
            self.repeat_guess(moves),
        ]


class Iocaine(Opponent):
    """Follows the history predictor with the best decayed record of guessing the model's move.

    Incremental: each round adds the newest move to the predictors' counts and scores their
    guess for it, so a round costs the same whatever the history's length. The moves equal those
    of replaying the whole history every round (a test checks it on recorded games).
    """

    name = "iocaine"
    description = "meta predictor: follows whichever history predictor has guessed best lately"

    def __init__(self, decay: float = 0.9):
        self.decay = decay
        self.predictors: list[Opponent] = [Frequency(), Markov(1), Markov(2), RepeatLast()]
        self._reset()

    def _reset(self) -> None:
        self._counts = _Counts((1, 2))
        self._scores = np.zeros(len(self.predictors))

    def predict(self, p, history, rules):
        seen = self._counts.moves
        if len(history) < len(seen) or (seen and history[len(seen) - 1].model_move != seen[-1]):
            self._reset()  # another game's history: start again
        for r in history[len(self._counts.moves) :]:
            if self._counts.moves:  # the replay scored the guesses for moves 2.. only
                for k, guess in enumerate(self._counts.guesses(rules.moves)):
                    hit = max(guess, key=guess.get) == r.model_move
                    self._scores[k] = self.decay * self._scores[k] + (1.0 if hit else 0.0)
            self._counts.add(r.model_move)
        return self._counts.guesses(rules.moves)[int(np.argmax(self._scores))]


class Uniform(Opponent):
    name = "random"
    description = "uniform random moves (control)"

    def predict(self, p, history, rules):
        return _normalise({}, rules.moves)

    def choose(self, p, history, rules, rng):
        return rules.opponent_moves[int(rng.integers(len(rules.opponent_moves)))]


class Person(Opponent):
    name = "person"
    description = "you: your move is typed or clicked"

    def predict(self, p, history, rules):
        raise InvalidParameter("A person's move must be given; the person opponent does not choose.")

    def choose(self, p, history: Sequence[Round], rules: Rules, rng):
        return self.predict(p, history, rules)


OPPONENTS: dict[str, type[Opponent] | tuple] = {
    "greedy": Greedy,
    "frequency": Frequency,
    "markov1": (Markov, 1),
    "markov2": (Markov, 2),
    "iocaine": Iocaine,
    "random": Uniform,
    "person": Person,
}


def make_opponent(name: str) -> Opponent:
    if roshambo.is_roshambo(name):
        return roshambo.RoshamboOpponent(name)
    entry = OPPONENTS.get(name)
    if entry is None:
        raise InvalidParameter(f"Unknown opponent '{name}'. Choose one of: {', '.join(OPPONENTS)}.")
    return entry[0](*entry[1:]) if isinstance(entry, tuple) else entry()


def check_opponent(name: str, role: str, field: bool = False) -> None:
    """A game run needs an automatic opponent: any but `person`, which only plays interactively.
    With `field` (rock-paper-scissors), also the RoShamBo bots as `roshambo:NAME`."""
    if field and roshambo.is_roshambo(name):
        roshambo.check_bot(name)
        return
    if name not in OPPONENTS or name == "person":
        known = ", ".join(n for n in OPPONENTS if n != "person")
        bots = f", or a RoShamBo bot as {roshambo.PREFIX}NAME (`python3 -m unpredict_core bots`)" if field else ""
        raise InvalidParameter(f"Unknown {role} '{name}'. Choose one of: {known}{bots}.")


def close_opponent(opponent: Opponent) -> None:
    """Release what an opponent holds outside this process (a RoShamBo bot's process)."""
    close = getattr(opponent, "close", None)
    if close is not None:
        close()
