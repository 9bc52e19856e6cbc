"""Run a sweep: every item through `runs.run_experiment`, resumable, with progress and a summary.

Resuming needs no bookkeeping of its own: an item's result is stored under the same cache key a
single run would use, so an item finished before a crash (or by a dashboard user) is found in the
store and never recomputed, and an item that failed or was cut short is simply not there and runs
again. Before anything runs, every item's key is computed (each model's identity once) and all
keys are looked up in one query, with a progress line from the first second, so the bar counts
only real work and the time estimate is not diluted by cache hits.

Runs of a game on one pair that differ only in seed, opponent or length are computed together
(`runs_together`: in lockstep batches of at most `UNPREDICT_LOCKSTEP_BATCH` runs, default 64),
each still stored as its own run; an interruption loses at most the batch in progress.
"""

from __future__ import annotations

import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from typing import Literal, TextIO

from unpredict_core.errors import UnpredictError, UntrustedRun
from unpredict_core.experiments import get_experiment
from unpredict_core.experiments.games.lockstep import max_batch
from unpredict_core.runs import BackendLoader, cache_key, run_experiment, side_requests
from unpredict_core.runs_together import run_together
from unpredict_core.store.database import Store
from unpredict_core.sweeps.file import Sweep, SweepItem
from unpredict_core.sweeps.progress import Clock, SweepProgress

Status = Literal["done", "cached", "failed"]
# failures that belong to one item (a missing model, a server timeout): the sweep goes on
ITEM_ERRORS = (UnpredictError, OSError, TimeoutError)


@dataclass
class ItemOutcome:
    label: str
    status: Status
    run_id: str | None = None
    reason: str = ""
    duration_s: float = 0.0


@dataclass
class SweepSummary:
    outcomes: list[ItemOutcome] = field(default_factory=list)
    interrupted: bool = False
    total: int = 0

    def count(self, status: Status) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> list[ItemOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "done": self.count("done"),
            "cached": self.count("cached"),
            "failed": self.count("failed"),
            "not_run": self.total - len(self.outcomes),
            "interrupted": self.interrupted,
            "items": [asdict(o) for o in self.outcomes],
        }

    def text(self) -> str:
        d = self.as_dict()
        head = f"sweep: {d['done']} done, {d['cached']} cached, {d['failed']} failed"
        if d["not_run"]:
            head += f", {d['not_run']} not run (interrupted: run the same command again to resume)"
        lines = [head] + [f"  failed: {o.label}\n          {o.reason}" for o in self.failed]
        return "\n".join(lines)


def _item_key(item: SweepItem, load, identities: dict) -> str:
    if item.alpha is not None:  # a mixed side: its own key (the two-sided run is stored as usual)
        from unpredict_core.dial import item_key

        return item_key(
            item.experiment, item.pair, item.params, item.alpha, item.mix, load, item.formats, item.requests, identities
        )
    sides = side_requests(item.experiment, item.pair, item.params, item.formats, item.requests)
    return cache_key(item.experiment, item.params, sides, load, identities)


def _mixed_runner(item: SweepItem):
    """`run_experiment`'s signature, adding the item's mixed side (unpredict_core/dial.py)."""
    from functools import partial

    from unpredict_core.dial import run_with_mixed

    assert item.alpha is not None  # only items with an α come here
    return partial(run_with_mixed, alpha=item.alpha, mix=item.mix)


def _failure(exc: BaseException, out: TextIO) -> str:
    if isinstance(exc, ITEM_ERRORS):
        return f"{type(exc).__name__}: {exc}" if not isinstance(exc, UnpredictError) else str(exc)
    traceback.print_exception(exc, file=out)  # a bug: keep its traceback, but let the sweep go on
    return f"unexpected {type(exc).__name__}: {exc} (traceback above)"


def run_sweep(
    sweep: Sweep,
    *,
    store: Store,
    load: BackendLoader,
    out: TextIO = sys.stderr,
    clock: Clock = time.monotonic,
) -> SweepSummary:
    """Run every item not already in the store; Ctrl-C stops between items and still summarises."""
    summary = SweepSummary(total=len(sweep.items))
    out.write(f"sweep {sweep.path}: {len(sweep.items)} items; finding those already stored…\n")
    out.flush()
    keys: dict[int, str] = {}
    identities: dict = {}  # each model's identity once, not once per item
    last = clock()
    for index, item in enumerate(sweep.items):
        try:
            keys[index] = _item_key(item, load, identities)
        except ITEM_ERRORS as exc:
            summary.outcomes.append(ItemOutcome(item.label, "failed", reason=_failure(exc, out)))
        if clock() - last >= 1.0:
            last = clock()
            out.write(f"\r  keys of {index + 1:,}/{len(sweep.items):,} items computed")
            out.flush()
    stored = store.stored_keys(list(keys.values()))
    untrusted = store.untrusted_runs(list(stored.values()))
    pending: list[SweepItem] = []
    for index, key in keys.items():
        item = sweep.items[index]
        if key in stored and stored[key] in untrusted:
            problems = "; ".join(untrusted[stored[key]][:2])
            why = UntrustedRun(
                f"the stored run {stored[key]} fails the trust check ({problems}): delete it to recompute"
            )
            summary.outcomes.append(ItemOutcome(item.label, "failed", reason=_failure(why, out)))
        elif key in stored:
            summary.outcomes.append(ItemOutcome(item.label, "cached", stored[key]))
        else:
            pending.append(item)
    out.write(
        f"\rsweep {sweep.path}: {len(sweep.items)} items, {summary.count('cached')} already stored, "
        f"{len(pending)} to do\n"
    )
    progress = SweepProgress(len(pending), out, clock)
    for batch in _batches(pending):
        if len(batch) == 1:
            one = _run_item(batch[0], store, load, progress, clock, out)
            outcomes = None if one is None else [one]
        else:
            outcomes = _run_batch(batch, store, load, progress, clock, out)
        if outcomes is None:  # interrupted
            summary.interrupted = True
            out.write("\ninterrupted: finished items are stored; run the same command to resume\n")
            break
        for outcome in outcomes:
            summary.outcomes.append(outcome)
            progress.item_done(outcome)
    return summary


def _batches(pending: list[SweepItem]) -> list[list[SweepItem]]:
    """The pending items in order, those computed together grouped: runs of an experiment that
    plays several at once (the games) on one pair with the same formats and requests, valid,
    without a mixed side, at most `max_batch()` per batch. Every other item stands alone."""
    groups: dict[object, list[SweepItem]] = {}
    for index, item in enumerate(pending):
        together = item.alpha is None and get_experiment(item.experiment).run_sides is not None and _valid(item)
        key = (item.experiment, item.pair, tuple(sorted(item.formats.items())), tuple(sorted(item.requests.items())))
        groups.setdefault(key if together else index, []).append(item)
    size = max_batch()
    return [group[i : i + size] for group in groups.values() for i in range(0, len(group), size)]


def _valid(item: SweepItem) -> bool:
    try:
        item.params.validate()
    except ITEM_ERRORS:
        return False  # run alone, where the failure is reported as that item's
    return True


def _run_item(
    item: SweepItem, store: Store, load: BackendLoader, progress: SweepProgress, clock: Clock, out: TextIO
) -> ItemOutcome | None:
    """One item, computed or found; None when interrupted."""
    started = clock()
    try:
        run = run_experiment if item.alpha is None else _mixed_runner(item)
        result = run(
            item.experiment,
            item.pair,
            item.params,
            store=store,
            load=load,
            formats=item.formats,
            requests=item.requests,
            progress=progress.report(item.label),
        )
    except KeyboardInterrupt:
        return None
    except Exception as exc:  # noqa: BLE001 (one item's failure must not end an overnight sweep)
        return ItemOutcome(item.label, "failed", reason=_failure(exc, out), duration_s=clock() - started)
    status: Status = "cached" if result.get("cached") else "done"
    run_id = str(dict(result).get("mixed_run_id", result["run_id"]))  # a mixed item: its own run
    return ItemOutcome(item.label, status, run_id, duration_s=clock() - started)


def _run_batch(
    batch: list[SweepItem], store: Store, load: BackendLoader, progress: SweepProgress, clock: Clock, out: TextIO
) -> list[ItemOutcome] | None:
    """Items computed together; each fails with the batch's reason if it fails. None when interrupted."""
    first, started = batch[0], clock()
    label = f"{first.experiment} · {first.pair.name} · {len(batch)} runs together"
    try:
        results = run_together(
            first.experiment,
            first.pair,
            [item.params for item in batch],
            store=store,
            load=load,
            formats=first.formats,
            requests=first.requests,
            progress=progress.report(label, len(batch)),
        )
    except KeyboardInterrupt:
        return None
    except Exception as exc:  # noqa: BLE001 (as for one item)
        reason = _failure(exc, out)
        return [
            ItemOutcome(i.label, "failed", reason=reason, duration_s=(clock() - started) / len(batch)) for i in batch
        ]
    share = (clock() - started) / len(batch)
    return [
        ItemOutcome(item.label, "cached" if result.get("cached") else "done", result["run_id"], duration_s=share)
        for item, result in zip(batch, results, strict=True)
    ]
