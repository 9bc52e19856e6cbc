"""Several runs of one experiment on one pair, computed together and each stored as its own run.

A sweep's runs of a game that differ only in seed, opponent or length are played in lockstep
batches (each round of all of them scored in one batched forward, or as concurrent requests to a
model server) instead of one after another. Each run is stored under exactly the cache key it has
on its own, so a single run of the same settings finds it and a resumed sweep skips it. Its
probabilities equal those of playing it alone to float rounding (below 1e-5; tests), so a sampled
move differs only if its random draw falls within that distance of a boundary.

What is shared is said on each run: `together` holds how many runs were computed with it and the
batch's whole time; its own `duration_s` and `load_s` are its share (the batch's, divided by the
number of runs), and a server side's `unresolved` bound is the worst of the batch.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from unpredict_core.backends.base import PromptFormat
from unpredict_core.backends.models import ModelPair
from unpredict_core.experiments import Experiment, get_experiment
from unpredict_core.progress import ProgressFn, no_progress, scaled
from unpredict_core.records import RunRecord
from unpredict_core.runs import (
    ROLES,
    BackendLoader,
    SideRequest,
    TimedLoader,
    UnresolvedTally,
    finish,
    new_record,
    prepare,
    run_experiment,
    side_record,
    skipped_record,
)
from unpredict_core.store.database import Store


def run_together(
    experiment: str,
    pair: ModelPair,
    runs: Sequence[Any],
    *,
    store: Store,
    load: BackendLoader,
    formats: dict[str, PromptFormat] | None = None,
    requests: dict[str, str] | None = None,
    progress: ProgressFn = no_progress,
) -> list[RunRecord]:
    """The result of each run (params) of `experiment` on `pair`, in order: from the store, or
    computed together (runs whose request texts are the same) and stored one by one. An
    experiment that cannot play several runs at once runs them one after another."""
    declared = get_experiment(experiment)
    if declared.run_sides is None or len(runs) < 2:
        return [
            run_experiment(experiment, pair, params, store=store, load=load, formats=formats, requests=requests,
                           progress=scaled(progress, i / len(runs), (i + 1) / len(runs)))
            for i, params in enumerate(runs)
        ]  # fmt: skip
    identities: dict = {}  # each model's identity once for all the runs
    checked, sides, keys = zip(
        *(prepare(experiment, pair, params, load, formats, requests, identities) for params in runs), strict=True
    )
    results: list[RunRecord | None] = [None] * len(runs)
    groups: dict[tuple[SideRequest, ...], list[int]] = {}
    for index, key in enumerate(keys):
        cached = store.find_run(key)
        if cached is not None:
            results[index] = cached | {"cached": True}
        else:
            groups.setdefault(tuple(sides[index].values()), []).append(index)
    to_do = sum(len(group) for group in groups.values()) or 1
    done = 0
    for group in groups.values():
        part = scaled(progress, done / to_do, (done + len(group)) / to_do)
        records = _play_group(declared, pair, [checked[i] for i in group], sides[group[0]], load, part)
        for index, record in zip(group, records, strict=True):
            results[index] = finish(record, store, keys[index])
        done += len(group)
    progress(1.0, f"{len(runs)} runs done")
    return [result for result in results if result is not None]


def _play_group(
    declared: Experiment,
    pair: ModelPair,
    runs: list[Any],
    sides: dict[str, SideRequest],
    load: BackendLoader,
    progress: ProgressFn,
) -> list[RunRecord]:
    """Each side of every run in `runs` (same requests), the side's runs played at once."""
    assert declared.run_sides is not None  # run_together sends only such experiments here
    records = [new_record(declared, pair, params) for params in runs]
    started, timed = time.monotonic(), TimedLoader(load)
    for number, role in enumerate(ROLES):
        side = sides[role]
        part = scaled(progress, number / len(ROLES), (number + 1) / len(ROLES))
        playing = [i for i, params in enumerate(runs) if declared.plays(params, role)]
        for i in set(range(len(runs))) - set(playing):
            records[i]["sides"][role] = skipped_record(declared, side, runs[i])
        if not playing:
            continue
        backend = timed(side.spec, scaled(part, 0.0, 0.3))
        tally = UnresolvedTally(backend)
        outcomes = declared.run_sides(tally, side.fmt, side.request, [runs[i] for i in playing], scaled(part, 0.3, 1.0))
        for i, outcome in zip(playing, outcomes, strict=True):
            records[i]["sides"][role] = side_record(side, backend, tally, outcome)
    duration = time.monotonic() - started - timed.seconds
    for record in records:
        record["duration_s"] = duration / len(runs)
        record["load_s"] = timed.seconds / len(runs)
        if len(runs) > 1:
            record["together"] = {"runs": len(runs), "duration_s": duration, "load_s": timed.seconds}
    return records
