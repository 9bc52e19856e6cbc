"""Progress reporting that works the same in a terminal, a test and the dashboard.

Long work takes a `ProgressFn` and calls it with a fraction in [0, 1] and a short message.
The CLI prints to stderr, the dashboard drives `st.progress`, tests pass `None`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

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
