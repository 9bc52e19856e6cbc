"""Games in lockstep batches: the same probabilities as playing the games one by one (to 1e-5),
on the tiny test models (one with sliding-window layers) and on the default pair."""

from __future__ import annotations

import pytest
import torch

from tests.support.tiny_model import tiny_backend, tiny_sliding_backend
from unpredict_core.backends.hf import lockstep as hf_lockstep
from unpredict_core.experiments.games import rps
from unpredict_core.experiments.games.engine import Match
from unpredict_core.experiments.games.lockstep import batch_scorer, play_lockstep
from unpredict_core.experiments.games.opponents import make_opponent

OPPONENTS = ("greedy", "frequency", "markov1", "iocaine", "random")


def matches(backend, fmt: str, opponents=OPPONENTS, seed: int = 0) -> list[Match]:
    return [Match(rps.RULES, backend, fmt, rps.INTRO[fmt], make_opponent(o), seed + i) for i, o in enumerate(opponents)]


def one_by_one(backend, fmt: str, rounds: int, **kw) -> list[Match]:
    games = matches(backend, fmt, **kw)
    for match in games:
        for _ in range(rounds):
            match.play_round()
    return games


def assert_same_games(batched: list[Match], single: list[Match], tolerance: float = 1e-5) -> float:
    worst = 0.0
    for a, b in zip(batched, single, strict=True):
        assert [r.model_move for r in a.history] == [r.model_move for r in b.history]
        assert [r.opponent_move for r in a.history] == [r.opponent_move for r in b.history]
        for ra, rb in zip(a.history, b.history, strict=True):
            worst = max(worst, abs(ra.coverage - rb.coverage), *(abs(ra.p[m] - rb.p[m]) for m in ra.p))
    assert worst <= tolerance, worst
    return worst


@pytest.mark.parametrize(
    "make, fmt",
    [(tiny_backend, "plain"), (tiny_backend, "chat"), (tiny_sliding_backend, "plain")],
    ids=["llama-plain", "llama-chat", "gemma-sliding-plain"],
)
def test_lockstep_equals_one_by_one_on_tiny_models(make, fmt):
    rounds = 10  # the sliding model's window is 8 tokens: the histories run far past it
    batched = matches(make(), fmt)
    assert play_lockstep(batched, rounds) == "batched forward"
    assert_same_games(batched, one_by_one(make(), fmt, rounds))


def played_with_scorer(monkeypatch, make, fmt: str, rounds: int, min_dead: int):
    """Games played in lockstep with dead keys dropped once `min_dead` pile up, and their scorer."""
    monkeypatch.setattr(hf_lockstep, "COMPACT_MIN_DEAD", min_dead)
    scorers = []
    init = hf_lockstep.LockstepScorer.__init__

    def keep(self, *args, **kwargs):
        init(self, *args, **kwargs)
        scorers.append(self)

    monkeypatch.setattr(hf_lockstep.LockstepScorer, "__init__", keep)
    games = matches(make(), fmt)
    play_lockstep(games, rounds)
    monkeypatch.undo()
    (scorer,) = scorers
    return games, scorer


@pytest.mark.parametrize("make, fmt", [(tiny_backend, "chat"), (tiny_sliding_backend, "plain")], ids=["llama", "gemma"])
def test_dropping_dead_keys_keeps_the_probabilities_and_the_cache_short(monkeypatch, make, fmt):
    rounds = 10
    kept, never = played_with_scorer(monkeypatch, make, fmt, rounds, min_dead=10**9)
    dropped, often = played_with_scorer(monkeypatch, make, fmt, rounds, min_dead=1)
    assert never.compactions == 0 and often.compactions > 0
    assert often.key_pos.shape[1] < never.key_pos.shape[1]  # the dead keys are gone ...
    live = (often.key_pos >= 0).sum(dim=1)
    assert torch.equal(live, (never.key_pos >= 0).sum(dim=1))  # ... and every live one is still there
    assert_same_games(dropped, kept)
    assert_same_games(dropped, one_by_one(make(), fmt, rounds))


def test_a_game_alone_in_a_batch_plays_as_in_a_bigger_one():
    alone = matches(tiny_backend(), "plain", opponents=("markov1",))
    play_lockstep(alone, 6)  # G = 1 is simply played one by one
    crowd = matches(tiny_backend(), "plain", opponents=("markov1", "greedy", "random"))
    play_lockstep(crowd, 6)
    assert_same_games(crowd[:1], alone)


def test_the_scorer_says_how_it_batches():
    from unpredict_core.backends.scripted import ScriptedBackend, constant

    assert batch_scorer(ScriptedBackend(constant({"rock": 1.0})), 4)[1] == "one by one"
    assert batch_scorer(tiny_backend(), 4)[1] == "batched forward"


@pytest.mark.real_models
def test_lockstep_equals_one_by_one_on_the_default_pair(real_backends):
    for role, fmt in (("base", "plain"), ("aligned", "chat")):
        backend = real_backends[role]
        batched = matches(backend, fmt, opponents=("greedy", "random"))
        play_lockstep(batched, 3)
        backend._prefix = None  # one by one from a cold cache
        assert_same_games(batched, one_by_one(backend, fmt, 3, opponents=("greedy", "random")))
