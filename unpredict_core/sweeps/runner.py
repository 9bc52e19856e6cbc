"""Run a sweep: every item through `runs.run_experiment`, resumable, with progress and a summary.

Resuming needs no bookkeeping of its own: an item's result is stored under the same cache key a
single run would use, so an item finished before a crash (or by a dashboard user) is found in the
store and never recomputed, and an item that failed or was cut short is simply not there and runs
again. Before anything runs, every item's key is computed (each model's identity once) and all
keys are looked up in one query, with a progress line from the first second, so the bar counts
only real work and the time estimate is not diluted by cache hits.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Literal, TextIO

from unpredict_core.errors import UnpredictError
from unpredict_core.runs import BackendLoader, cache_key, run_experiment, side_requests
from unpredict_core.store.database import Store
from unpredict_core.sweeps.file import Sweep, SweepItem

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


def _clock_text(seconds: float) -> str:
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class SweepProgress:
    """One status line on stderr: items done / to do, elapsed time, and an estimate of what is left.

    The estimate is the mean time of the items computed so far times the work left (the current
    item counted by its own progress fraction); cache hits cost nothing and are not counted.
    """

    def __init__(self, to_do: int, out: TextIO, clock: Callable[[], float] = time.monotonic):
        self.to_do, self.out, self.clock = to_do, out, clock
        self.started = clock()
        self.finished = 0
        self.failed = 0
        self.spent = 0.0  # seconds of finished computed items
        self._last = 0.0
        tty = getattr(out, "isatty", lambda: False)()
        self._clear = "\r\033[K" if tty else "\r"  # no escape codes in a log file

    def estimate_left(self, fraction: float) -> float | None:
        done = self.finished + fraction
        if done <= 0:
            return None
        per_item = (self.clock() - self.started) / done if self.finished == 0 else self.spent / self.finished
        return per_item * (self.to_do - done)

    def line(self, label: str, fraction: float, message: str) -> str:
        width = 24
        share = (self.finished + fraction) / self.to_do if self.to_do else 1.0
        bar = "#" * int(width * share) + "-" * (width - int(width * share))
        left = self.estimate_left(fraction)
        eta = f"~{_clock_text(left)} left" if left is not None else "estimating…"
        return (
            f"[{bar}] {self.finished}/{self.to_do} done · {self.failed} failed · "
            f"{_clock_text(self.clock() - self.started)} elapsed · {eta} · {label[:50]}: {message[:40]}"
        )

    def report(self, label: str) -> Callable[[float, str], None]:
        def progress(fraction: float, message: str) -> None:
            now = self.clock()
            if now - self._last < 0.2:
                return
            self._last = now
            self.out.write(self._clear + self.line(label, max(0.0, min(1.0, fraction)), message))
            self.out.flush()

        return progress

    def item_done(self, outcome: ItemOutcome) -> None:
        self.finished += 1
        self.failed += outcome.status == "failed"
        if outcome.status == "done":
            self.spent += outcome.duration_s
        mark = {"done": "done  ", "cached": "cached", "failed": "FAILED"}[outcome.status]
        detail = f" ({outcome.reason})" if outcome.reason else f" in {outcome.duration_s:.1f} s"
        self.out.write(f"{self._clear}{mark} {self.finished}/{self.to_do} {outcome.label}{detail}\n")
        self.out.flush()


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
    clock: Callable[[], float] = time.monotonic,
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
    pending: list[SweepItem] = []
    for index, key in keys.items():
        item = sweep.items[index]
        if key in stored:
            summary.outcomes.append(ItemOutcome(item.label, "cached", stored[key]))
        else:
            pending.append(item)
    out.write(
        f"\rsweep {sweep.path}: {len(sweep.items)} items, {summary.count('cached')} already stored, "
        f"{len(pending)} to do\n"
    )
    progress = SweepProgress(len(pending), out, clock)
    for item in pending:
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
            status: Status = "cached" if result.get("cached") else "done"
            run_id = str(dict(result).get("mixed_run_id", result["run_id"]))  # a mixed item: its own run
            outcome = ItemOutcome(item.label, status, run_id, duration_s=clock() - started)
        except KeyboardInterrupt:
            summary.interrupted = True
            out.write("\ninterrupted: finished items are stored; run the same command to resume\n")
            break
        except Exception as exc:  # noqa: BLE001 (one item's failure must not end an overnight sweep)
            outcome = ItemOutcome(item.label, "failed", reason=_failure(exc, out), duration_s=clock() - started)
        summary.outcomes.append(outcome)
        progress.item_done(outcome)
    return summary
