"""Progress reporting that works the same in a terminal, a test and the dashboard.

Long work takes a `ProgressFn` and calls it with a fraction in [0, 1] and a short message.
The CLI prints to stderr, the dashboard drives `st.progress`, tests pass `None`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from unpredict_core.errors import UnpredictError

ProgressFn = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:
    """The default: report nothing."""


def stderr_progress() -> ProgressFn:
    """A one-line, rate-limited progress bar on stderr (stdout stays clean for --json)."""
    last = [0.0]

    def report(fraction: float, message: str) -> None:
        now = time.monotonic()
        if fraction < 1.0 and now - last[0] < 0.2:
            return
        last[0] = now
        width = 30
        filled = int(width * max(0.0, min(1.0, fraction)))
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if fraction >= 1.0 else ""
        sys.stderr.write(f"\r[{bar}] {fraction:6.1%} {message[:60]:<60}{end}")
        sys.stderr.flush()

    return report


def scaled(progress: ProgressFn, start: float, stop: float) -> ProgressFn:
    """Map a sub-task's 0..1 onto [start, stop] of its parent's bar."""
    return lambda fraction, message: progress(start + (stop - start) * fraction, message)


class Cancelled(UnpredictError):
    """The person asked the run to stop. Raised from a progress report, between steps, so the run
    ends before anything is stored: a cancelled run leaves nothing half-done in the results."""


def cancellable(progress: ProgressFn, stop_requested: Callable[[], bool]) -> ProgressFn:
    """`progress` that raises `Cancelled` at the next report once `stop_requested()` is true."""

    def report(fraction: float, message: str) -> None:
        if stop_requested():
            raise Cancelled("Cancelled: the run stopped between two steps and nothing of it was stored.")
        progress(fraction, message)

    return report


def rate_and_estimate(done: int, total: int, elapsed_s: float, unit: str = "attempts") -> str:
    """ "12.5 attempts/s, about 40 s left": the pace so far and what it implies for the rest; before
    any pace is known it says so instead of guessing."""
    if done <= 0 or elapsed_s <= 0:
        return "estimating the pace…"
    rate = done / elapsed_s
    left = max(total - done, 0) / rate
    return f"{rate:,.1f} {unit}/s, about {_duration(left)} left"


def time_left(fraction: float, elapsed_s: float) -> str:
    """ "2 min elapsed, about 3 min left" from the share done so far; empty before the share says
    anything (the first few per cent are mostly loading)."""
    if not 0.05 <= fraction < 1.0 or elapsed_s <= 0:
        return ""
    return f"{_duration(elapsed_s)} elapsed, about {_duration(elapsed_s / fraction * (1 - fraction))} left"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
