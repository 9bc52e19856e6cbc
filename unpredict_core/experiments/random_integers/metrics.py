"""Pure metric functions over answer distributions and counts.

Each takes plain arrays (last axis = answers, so a batch of bootstrap draws works unchanged) and
uses scipy.stats rather than re-deriving textbook formulas. Empty input raises ValueError: a metric
of nothing is a bug upstream, not a zero.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from scipy import special, stats

PAPER_N = 1500  # valid generations per model in the paper
CI_LEVEL = 0.95


def _as_probs(p: np.ndarray | Sequence[float]) -> np.ndarray:
    arr = np.asarray(p, dtype=float)
    if arr.size == 0 or arr.shape[-1] == 0:
        raise ValueError("a distribution over no answers has no metrics")
    total = arr.sum(axis=-1, keepdims=True)
    return np.divide(arr, total, out=np.zeros_like(arr), where=total > 0)


def uniform_like(p: np.ndarray) -> np.ndarray:
    return np.full(p.shape[-1], 1.0 / p.shape[-1])


def chi2_counts(counts: np.ndarray | Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Pearson χ² of observed counts against uniform, and its p-value (df = answers − 1)."""
    arr = np.asarray(counts, dtype=float)
    if arr.size == 0:
        raise ValueError("no counts")
    result = stats.chisquare(arr, axis=-1)
    return result.statistic, result.pvalue


def chi2_at_n(p: np.ndarray | Sequence[float], n: int = PAPER_N) -> np.ndarray:
    """The χ² a sample of n answers in exactly these proportions would give:
    n·Σ(p−u)²/u. Lets an exact distribution be read on the paper's scale."""
    probs = _as_probs(p)
    return stats.chisquare(probs * n, axis=-1).statistic


def chi2_noise(p: np.ndarray | Sequence[float]) -> float:
    """What sampling adds to the χ² of draws from p, per draw count: E[χ²_n] = n·Σ(p−u)²/u + K(1−Σp²).
    At most K − 1 = 10: the whole expected χ² of a uniform model."""
    probs = _as_probs(p)
    return float(probs.size * (1.0 - np.sum(probs**2)))


def expected_chi2(p: np.ndarray | Sequence[float], n: int = PAPER_N) -> float:
    """The χ² that n draws from exactly p give on average: `chi2_at_n` plus the sampling noise. This
    is what the paper's χ² of 1,500 samples estimates, so a model measured exactly sits on its scale."""
    return float(chi2_at_n(p, n)) + chi2_noise(p)


def _debiased_share(counts: np.ndarray, m: int) -> np.ndarray:
    """Unbiased estimate of Σ(p−u)²/u from counts of m draws (last axis = answers)."""
    p_hat, u = counts / m, 1.0 / counts.shape[-1]
    return np.sum((p_hat - u) ** 2 / u, axis=-1) - np.sum(p_hat * (1 - p_hat) / u, axis=-1) / (m - 1)


def _noncentral_interval(x: float, df: int, level: float) -> tuple[float, float]:
    """The noncentrality λ of χ²(df, λ) whose tails put the observed statistic x at the edges."""
    from scipy import optimize

    tail = (1 - level) / 2

    def below(lam: float) -> float:
        return float(stats.ncx2.cdf(x, df, lam) if lam > 0 else stats.chi2.cdf(x, df))

    top = 10.0 * x + 100.0
    low = 0.0 if below(0.0) <= 1 - tail else optimize.brentq(lambda lam: below(lam) - (1 - tail), 0.0, top)
    high = 0.0 if below(0.0) <= tail else optimize.brentq(lambda lam: below(lam) - tail, 0.0, top)
    return low, high


def expected_chi2_from_counts(
    counts: np.ndarray | Sequence[float], n: int = PAPER_N, *, seed: int = 0, level: float = CI_LEVEL
) -> tuple[float, tuple[float, float]]:
    """`expected_chi2` of the distribution that drew `counts`, estimated without the upward bias of
    scaling a small sample's χ² to n, with an approximate 95 % interval.

    Scaling m draws' χ² to n scales their noise too: E[Σ(p̂−u)²/u] = Σ(p−u)²/u + Σp(1−p)/(m·u), so
    a small m lifts the scaled value by about n·(K−1)/m even for a uniform model. Since
    E[p̂(1−p̂)] = p(1−p)(m−1)/m, subtracting Σp̂(1−p̂)/((m−1)·u) gives an unbiased estimate of
    Σ(p−u)²/u; it is floored at 0 (it can fall below for a near-uniform model at small m), scaled to
    n, and the noise of n draws added back (`chi2_noise`, estimated without bias as well).

    The interval joins three approximate ones, each the better one where the others are weak:
    inverting the noncentral χ² that the raw statistic follows near uniform; a basic bootstrap of the
    estimate (multinomial resamples of m draws), good away from uniform; and the Dirichlet(counts +
    ½) posterior, which keeps a width above a sample that came out perfectly even (where the other
    two collapse to a point). Simulated coverage of the first two joined (300–400 samples each, four
    distributions from uniform to P(0) = 0.6, m = 30 to 1,500) was 88–100 %; the third only widens
    it. Read it as approximate."""
    arr = np.asarray(counts, dtype=float)
    m = int(arr.sum())
    if m < 2:
        raise ValueError("a debiased χ² needs at least two draws")
    p_hat = arr / m
    estimate = float(_debiased_share(arr, m))
    lam_low, lam_high = _noncentral_interval(float(chi2_at_n(p_hat, m)), arr.size - 1, level)
    rng = np.random.default_rng(seed)
    resampled = _debiased_share(rng.multinomial(m, p_hat, size=1000).astype(float), m)
    q_low, q_high = np.quantile(resampled, [(1 - level) / 2, (1 + level) / 2])
    truth_here = float(np.sum((p_hat - 1.0 / arr.size) ** 2 * arr.size))  # the bootstrap's own estimand
    posterior = chi2_at_n(rng.dirichlet(arr + 0.5, size=2000), 1)  # Σ(p−u)²/u of each draw
    p_low, p_high = np.quantile(posterior, [(1 - level) / 2, (1 + level) / 2])
    low = max(0.0, min(lam_low / m, estimate - (q_high - truth_here), float(p_low)))
    high = max(0.0, lam_high / m, estimate - (q_low - truth_here), float(p_high))
    noise = chi2_noise(p_hat) * m / (m - 1)
    return n * max(0.0, estimate) + noise, (float(n * low + noise), float(n * high + noise))


def chi2_pvalue(statistic: float | np.ndarray, answers: int) -> np.ndarray:
    return stats.chi2.sf(statistic, df=answers - 1)


def kl_to_uniform_bits(p: np.ndarray | Sequence[float]) -> np.ndarray:
    probs = _as_probs(p)
    return stats.entropy(probs, uniform_like(probs), base=2, axis=-1)


def tv_to_uniform(p: np.ndarray | Sequence[float]) -> np.ndarray:
    probs = _as_probs(p)
    return 0.5 * np.abs(probs - uniform_like(probs)).sum(axis=-1)


def entropy_bits(p: np.ndarray | Sequence[float]) -> np.ndarray:
    return stats.entropy(_as_probs(p), base=2, axis=-1)


def chi2_consistency(counts: Sequence[float], probs: Sequence[float], min_expected: float = 5.0):
    """Pearson χ² test of sampled counts against an exact distribution.

    Answers whose expected count is below `min_expected` are pooled into one cell (the usual
    validity rule for the χ² approximation). Returns scipy's result (statistic, pvalue).
    """
    obs = np.asarray(counts, dtype=float)
    exp = _as_probs(probs) * obs.sum()
    small = exp < min_expected
    if small.any():
        obs = np.append(obs[~small], obs[small].sum())
        exp = np.append(exp[~small], exp[small].sum())
        if exp[-1] == 0:
            obs, exp = obs[:-1], exp[:-1]
    return stats.chisquare(obs, exp)


MetricFn = Callable[[np.ndarray], np.ndarray]


def distribution_metrics(answers: Sequence[str], focus: str | None = "7") -> dict[str, MetricFn]:
    """The standard metric set for one answer set; each maps probabilities (…, K) to (…)."""
    fns: dict[str, MetricFn] = {
        "chi2_n1500": lambda p: chi2_at_n(p, PAPER_N),
        "kl": kl_to_uniform_bits,
        "tv": tv_to_uniform,
        "entropy_bits": entropy_bits,
    }
    if focus is not None and focus in answers:
        index = list(answers).index(focus)
        fns[f"p{focus}"] = lambda p: _as_probs(p)[..., index]
    return fns


def bootstrap_intervals(
    probs: Sequence[float] | np.ndarray,
    n: int,
    metrics: Mapping[str, MetricFn],
    *,
    draws: int = 2000,
    seed: int = 0,
    level: float = CI_LEVEL,
) -> dict[str, tuple[float, float]]:
    """Percentile intervals of each metric over multinomial resamples of n answers from `probs`.

    For sampled counts this is the ordinary bootstrap; for an exact distribution it is the range a
    replication with n samples would show (there is no uncertainty in the exact value itself).
    """
    if n <= 0:
        raise ValueError("bootstrap needs n > 0")
    rng = np.random.default_rng(seed)
    resamples = rng.multinomial(n, _as_probs(probs), size=draws) / n
    alpha = (1 - level) / 2
    out = {}
    for name, fn in metrics.items():
        values = np.asarray(fn(resamples), dtype=float)
        low, high = np.quantile(values, [alpha, 1 - alpha])
        out[name] = (float(low), float(high))
    return out


# How the intervals of sampled counts are made; the pages quote these names.
ANSWER_INTERVAL_METHOD = "Clopper-Pearson (exact binomial)"
POSTERIOR_INTERVAL_METHOD = "Dirichlet posterior with a Jeffreys prior (½ per answer)"


def clopper_pearson(k: int, n: int, level: float = CI_LEVEL) -> tuple[float, float]:
    """The exact binomial interval for k successes in n trials. Unlike a bootstrap of the counts,
    it never shrinks to a point: 0 of 10 gives [0 %, 30.8 %], not [0 %, 0 %]."""
    if n <= 0:
        raise ValueError("an interval of a proportion needs n > 0")
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="exact")
    return float(ci.low), float(ci.high)


def answer_intervals(counts: Mapping[str, int], level: float = CI_LEVEL) -> dict[str, tuple[float, float]]:
    """A Clopper-Pearson interval for each answer's share of the valid answers."""
    total = int(sum(counts.values()))
    return {answer: clopper_pearson(k, total, level) for answer, k in counts.items()}


def dirichlet_intervals(
    counts: np.ndarray | Sequence[float],
    metrics: Mapping[str, MetricFn],
    *,
    draws: int = 2000,
    seed: int = 0,
    prior: float = 0.5,
    level: float = CI_LEVEL,
) -> dict[str, tuple[float, float]]:
    """Credible intervals of each metric under the Dirichlet(counts + prior) posterior over the
    answer distribution. The prior keeps every answer possible, so ten identical answers still
    leave a spread (a bootstrap of them repeats the same ten answers and collapses to a point)."""
    alpha = np.asarray(counts, dtype=float) + prior
    if alpha.size == 0 or prior <= 0:
        raise ValueError("a Dirichlet posterior needs answers and a positive prior")
    rng = np.random.default_rng(seed)
    samples = rng.dirichlet(alpha, size=draws)
    tail = (1 - level) / 2
    out = {}
    for name, fn in metrics.items():
        low, high = np.quantile(np.asarray(fn(samples), dtype=float), [tail, 1 - tail])
        out[name] = (float(low), float(high))
    return out


def repetitions(sequence: Sequence[int]) -> int:
    """Repeated values in a sequence: length − number of distinct values."""
    return len(sequence) - len(set(sequence))


def iid_repetition_distribution(values: int = 11, length: int = 10) -> np.ndarray:
    """P(repetitions = r) for `length` i.i.d. uniform draws from `values` values, r = 0..length−1.

    With k distinct values, the count of sequences is C(values, k)·k!·S(length, k) (S: Stirling
    numbers of the second kind), so P(k) = perm(values, k)·S(length, k) / values^length.
    """
    distinct = np.arange(length, 0, -1)  # r = 0 ↔ k = length
    ways = special.perm(values, distinct, exact=False) * special.stirling2(length, distinct)
    return ways / float(values) ** length


def repetition_histogram(sequences: Sequence[Sequence[int]], length: int = 10) -> np.ndarray:
    """Counts of sequences by repetitions, r = 0..length−1."""
    counts = np.zeros(length, dtype=int)
    for seq in sequences:
        counts[repetitions(seq)] += 1
    return counts


def repetition_summary(histogram) -> dict[str, float]:
    """The headline numbers of a repetition histogram (counts or probabilities of r = 0, 1, ...
    repeats per sequence): its most common r, its mean r, and the share without a repeat."""
    h = np.asarray(histogram, dtype=float)
    total = max(float(h.sum()), 1e-300)
    return {
        "mode": int(h.argmax()),
        "mean": float(np.dot(np.arange(len(h)), h) / total),
        "no_repeat": float(h[0] / total),
    }
