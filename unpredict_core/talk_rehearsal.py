"""The talk's slides as runs, and the rehearsal that stores them all before the talk.

Talk mode (the home page with `?talk=1`) shows one slide per experiment. Each slide is drawn from
ordinary cached runs with fixed settings, listed once here, so that
`python -m unpredict_core warm --talk` can run every one of them ahead of time and the dashboard
then finds each slide in the store: no model is loaded on stage, nothing needs a network, and a
slide whose runs are missing says so instead of starting a minutes-long job in front of an audience.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from unpredict_core.backends.models import ModelPair
from unpredict_core.experiments import poetry, random_integers
from unpredict_core.experiments.games import hide_and_seek, rps
from unpredict_core.progress import ProgressFn, no_progress, scaled
from unpredict_core.records import RunRecord
from unpredict_core.results.figure_plan import measurement_plan
from unpredict_core.runs import BackendLoader, cache_key, run_experiment, side_requests
from unpredict_core.store.database import Store

GAME_ROUNDS = 10
POEM_TOPICS = poetry.DEFAULT_TOPICS[:3]
FIGURE_Y = "chi2"


@dataclass(frozen=True)
class Slide:
    key: str  # also the value of ?slide= in talk mode
    title: str
    runs: Callable[[str], list[tuple[str, Any]]]  # device → [(experiment, params)]


def _figure_runs(device: str) -> list[tuple[str, Any]]:
    return measurement_plan(FIGURE_Y, device)


SLIDES: tuple[Slide, ...] = (
    Slide("title", "Base vs aligned: who is more unpredictable?", lambda device: []),
    Slide("integers", "Pick a random number from 0 to 10",
          lambda device: [(random_integers.NAME, random_integers.Params(mode="exact"))]),
    Slide("rps", f"Rock-paper-scissors against an adversary ({GAME_ROUNDS} rounds)",
          lambda device: [(rps.NAME, rps.Params(adversary="greedy", rounds=GAME_ROUNDS, seed=0))]),
    Slide("hide", f"Hide-and-seek against a seeker ({GAME_ROUNDS} rounds)",
          lambda device: [(hide_and_seek.NAME, hide_and_seek.Params(seeker="greedy", rounds=GAME_ROUNDS, seed=0))]),
    Slide("poem", "Which poem is better? Vote blind",
          lambda device: [(poetry.NAME, poetry.Params(topics=POEM_TOPICS, samples=2, embeddings=False))]),
    Slide("figure", "Better at benchmarks, worse at randomness? (the paper's Figure 1)", _figure_runs),
    # reads the runs of the two ladder pairs, whichever pair the talk shows (rehearse those pairs)
    Slide("ladder", "One family, stage by stage: the ladder trained here", lambda device: []),
)  # fmt: skip
SLIDE_KEYS = tuple(s.key for s in SLIDES)


def slide(key: str) -> Slide:
    return next((s for s in SLIDES if s.key == key), SLIDES[0])


def cached_result(experiment: str, pair: ModelPair, params, store: Store, load: BackendLoader) -> RunRecord | None:
    """The stored run for these settings, or None: never runs a model."""
    params = params.validate()
    key = cache_key(experiment, params, side_requests(experiment, pair, params, None, None), load)
    found = store.find_run(key)
    return None if found is None else found | {"cached": True}


def slide_results(key: str, pair: ModelPair, store: Store, load: BackendLoader, device: str = "auto") -> list:
    """Each run of one slide from the store (None where it is not rehearsed)."""
    return [cached_result(e, pair, p, store, load) for e, p in slide(key).runs(device)]


def rehearse(
    pair: ModelPair,
    store: Store,
    load: BackendLoader,
    device: str = "auto",
    progress: ProgressFn = no_progress,
) -> list[dict[str, Any]]:
    """Run (or find stored) every run of every slide; one summary row per run."""
    plan = [(s.key, e, p) for s in SLIDES for e, p in s.runs(device)]
    rows = []
    for index, (key, experiment, params) in enumerate(plan):
        part = scaled(progress, index / len(plan), (index + 1) / len(plan))
        result = run_experiment(experiment, pair, params, store=store, load=load, progress=part)
        rows.append(
            {
                "slide": key,
                "experiment": experiment,
                "run_id": result["run_id"],
                "cached": result.get("cached", False),
                "duration_s": result.get("duration_s"),
            }
        )
    return rows
