"""The 95 % interval of a mean of bounded values (per-round scores, repeats per sequence, top-move
probabilities), which never claims more certainty than the data hold.

With a spread, it is Student's t-interval of the mean, clipped to the values' bounds. Without one —
one value, or every value alike — a t-interval would be a point, and a point reads as exact. Then
the interval comes from how often the one value occurred: k = n of n times, whose exact
(Clopper-Pearson) lower bound on its share is L = (0.025)^(1/n); the rest of the mass could lie
anywhere within the bounds, so the mean lies in [L·v + (1−L)·low, L·v + (1−L)·high]. Ten identical
losses in rock-paper-scissors give a net score of −100 with an interval reaching −69, not "exact".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

LEVEL = 0.95


def mean_interval(
    values: Sequence[float], low: float, high: float, level: float = LEVEL
) -> tuple[float, tuple[float, float]] | None:
    """The mean of `values` (each within [low, high]) and its interval; None for no values."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return None
    mean = float(arr.mean())
    if arr.size >= 2 and float(arr.std()) > 0.0:
        lo, hi = stats.t.interval(level, arr.size - 1, loc=mean, scale=stats.sem(arr))
        return mean, (max(low, float(lo)), min(high, float(hi)))
    share = ((1 - level) / 2) ** (1 / arr.size)  # the lowest share of the one value seen, at 97.5 %
    return mean, (share * mean + (1 - share) * low, share * mean + (1 - share) * high)
