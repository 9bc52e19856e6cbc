"""A sweep's one status line on stderr: items done / to do, elapsed time, an estimate of what is left."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from unpredict_core.sweeps.runner import ItemOutcome

Clock = Callable[[], float]


def _clock_text(seconds: float) -> str:
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class SweepProgress:
    """One status line on stderr: items done / to do, elapsed time, and an estimate of what is left.

    The estimate is the mean time of the items computed so far times the work left (the current
    item counted by its own progress fraction); cache hits cost nothing and are not counted.
    """

    def __init__(self, to_do: int, out: TextIO, clock: Clock = time.monotonic):
        self.to_do, self.out, self.clock = to_do, out, clock
        self.started = clock()
        self.finished = 0
        self.failed = 0
        self.spent = 0.0  # seconds of finished computed items
        self._last = 0.0
        tty = getattr(out, "isatty", lambda: False)()
        self._clear = "\r\033[K" if tty else "\r"  # no escape codes in a log file

    def estimate_left(self, fraction: float) -> float | None:
        """`fraction`: items of the current item or batch done, in items."""
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

    def report(self, label: str, items: int = 1) -> Callable[[float, str], None]:
        """Progress of the next `items` items (a batch computed together), `fraction` of them done."""

        def progress(fraction: float, message: str) -> None:
            now = self.clock()
            if now - self._last < 0.2:
                return
            self._last = now
            self.out.write(self._clear + self.line(label, items * max(0.0, min(1.0, fraction)), message))
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
