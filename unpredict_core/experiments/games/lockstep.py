"""Games in lockstep: G games on one model advance round by round together.

Each round the G prompts are scored at once, as the backend allows best:
- transformers: one batched forward over the G growing histories (`backends/hf/lockstep.py`), with the
  same probabilities as playing the games one by one;
- a model server: the G requests go out concurrently (at most `UNPREDICT_SERVER_CONCURRENCY`
  at a time, default 8), so the server batches them;
- anything else (the scripted test backend): one after another.
Each game keeps its own generators, so a game's moves do not depend on which games share its batch.
Tournaments play every game of a side this way, and a sweep plays its runs of one game that differ
only in seed, opponent or rounds this way too (`play_games`: games of different lengths or answer sets go
in separate batches).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from unpredict_core.backends.base import ChoiceScores, ModelBackend, RenderedPrompt
from unpredict_core.experiments.games.engine import Match
from unpredict_core.experiments.games.opponents import close_opponent
from unpredict_core.progress import ProgressFn, no_progress, scaled

BatchScorer = Callable[[Sequence[RenderedPrompt], Sequence[str]], list[ChoiceScores]]
DEFAULT_CONCURRENCY = 8
DEFAULT_BATCH = 64


def server_concurrency() -> int:
    try:
        return max(1, int(os.environ.get("UNPREDICT_SERVER_CONCURRENCY", DEFAULT_CONCURRENCY)))
    except ValueError:
        return DEFAULT_CONCURRENCY


def _unwrapped(backend: ModelBackend):
    return getattr(backend, "_backend", backend)  # runs.UnresolvedTally passes a backend through


def batch_scorer(backend: ModelBackend, games: int) -> tuple[BatchScorer, str]:
    """A function scoring G prompts at once on `backend`, and how it does it (for benchmarks)."""
    inner = _unwrapped(backend)
    hf = sys.modules.get("unpredict_core.backends.hf.backend")  # never imports torch for a server pair
    server = sys.modules.get("unpredict_core.backends.server.backend")
    if hf is not None and isinstance(inner, hf.TransformersBackend) and games > 1:
        from unpredict_core.backends.hf.lockstep import LockstepScorer

        scorer = LockstepScorer(inner, games)
        if scorer.supported:
            return scorer.score, "batched forward"
    if server is not None and isinstance(inner, server.ServerBackend) and games > 1:
        pool = ThreadPoolExecutor(max_workers=min(games, server_concurrency()), thread_name_prefix="lockstep")

        def concurrent(prompts: Sequence[RenderedPrompt], choices: Sequence[str]) -> list[ChoiceScores]:
            # through `backend`, so a run still records the worst unresolved bound of its scores
            return list(pool.map(lambda prompt: backend.score_choices(prompt, choices), prompts))

        return concurrent, f"concurrent requests (at most {pool._max_workers})"
    return (lambda prompts, choices: [backend.score_choices(p, choices) for p in prompts]), "one by one"


def max_batch() -> int:
    """Games per lockstep batch (`UNPREDICT_LOCKSTEP_BATCH`, default 64): each game keeps its
    history's KV cache, so a batch of long games on a big model needs G times one game's memory."""
    try:
        return max(1, int(os.environ.get("UNPREDICT_LOCKSTEP_BATCH", DEFAULT_BATCH)))
    except ValueError:
        return DEFAULT_BATCH


def play_lockstep(matches: Sequence[Match], rounds: int, progress: ProgressFn = no_progress) -> str:
    """Play `rounds` rounds of every match, all on the same backend, one round of a batch at a time
    (batches of at most `max_batch()` games, one after another). Returns how rounds were scored."""
    if not matches:
        return "no games"
    backend = matches[0].backend
    size = max_batch()
    batches = [list(matches[i : i + size]) for i in range(0, len(matches), size)]
    how = ""
    for number, batch in enumerate(batches):
        score, how = batch_scorer(backend, len(batch))
        choices = batch[0].choices()
        for index in range(rounds):
            prompts = [match.next_prompt() for match in batch]
            for match, scores in zip(batch, score(prompts, choices), strict=True):
                match.play_round(scores=scores)
            done = (number + (index + 1) / rounds) / len(batches)
            progress(done, f"{backend.label}: round {index + 1}/{rounds} of {len(batch)} games")
    return how


def play_games(games: Sequence[tuple[Match, int]], progress: ProgressFn = no_progress) -> str:
    """Play each (match, rounds) on one backend: matches with the same number of rounds and the same
    answers are played in lockstep together, one such group after another. Returns how rounds were
    scored (that of the largest group)."""
    groups: dict[tuple[int, tuple[str, ...]], list[Match]] = {}
    for match, rounds in games:
        groups.setdefault((rounds, tuple(match.choices())), []).append(match)
    total = sum(rounds * len(group) for (rounds, _), group in groups.items()) or 1
    how, largest, done = "no games", 0, 0
    for (rounds, _), group in groups.items():
        share = rounds * len(group)
        part = scaled(progress, done / total, (done + share) / total)
        group_how = play_lockstep(group, rounds, part)
        if len(group) > largest:
            how, largest = group_how, len(group)
        done += share
    return how


def play_runs(new_game: Callable[[Any], tuple[Match, int]], runs: Sequence[Any], progress: ProgressFn) -> list[Match]:
    """One side of several runs of a game at once: `new_game(params)` gives each run's match and its
    rounds; all are played by `play_games`, and every opponent is closed after (a RoShamBo bot is
    a process of its own), also when a match cannot be made or a round fails."""
    games: list[tuple[Match, int]] = []
    try:
        for params in runs:
            games.append(new_game(params))
        play_games(games, progress)
    finally:
        for match, _ in games:
            close_opponent(match.opponent)
    return [match for match, _ in games]
